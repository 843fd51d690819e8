-- Schema version 2: the "visits by worker and date range" query.
CREATE INDEX visits_by_worker ON visits(worker_id, at_ms);
