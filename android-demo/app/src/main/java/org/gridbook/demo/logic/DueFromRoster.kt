package org.gridbook.demo.logic

import java.time.Instant
import java.time.ZoneOffset

/**
 * Interim source of today's list until the core's `visitsDue` is in the
 * bindings: the roster in address order, with last visits. No urgency is
 * computed here; that is the core's job.
 */
val dueFromRoster = DueHouseholds { store, gridId, _ ->
    store.roster(gridId).map { row ->
        DueRow(
            householdId = row.household.id,
            address = Labels.address(row.household),
            memberCount = row.memberCount.toInt(),
            care = emptyList(),
            lastVisit = row.lastVisit?.let {
                Instant.ofEpochMilli(it.utcMs).atOffset(ZoneOffset.ofTotalSeconds(it.offsetMinutes * 60)).toLocalDate().toString()
            },
            dueOn = null,
            daysOverdue = 0,
            intervalDays = 0,
        )
    }
}
