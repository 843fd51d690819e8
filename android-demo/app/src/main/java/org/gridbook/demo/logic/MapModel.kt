package org.gridbook.demo.logic

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.gridbook.core.CoordSystem
import org.gridbook.core.LiveQuery
import org.gridbook.core.VisitPolicy
import org.gridbook.liveQuery

/** A building of the map, for the list beside it (no personal data: the GeoJSON holds none). */
data class MapBuilding(
    val buildingId: String,
    /** "3栋". */
    val number: String,
    val households: Int,
    val due: Int,
    val overdue: Int,
    val reachedThisMonth: Int,
)

sealed class MapState {
    object Loading : MapState()

    /**
     * [geoJson] is what the map SDK's view takes, with coordinates in
     * [coordSystem] (the collection's own `coordSystem`: "gcj02", "bd09" or
     * "wgs84"); [buildings] are its building features, in its order.
     */
    data class Loaded(val geoJson: String, val coordSystem: String, val buildings: List<MapBuilding>) : MapState()

    data class Failed(val message: String) : MapState()
}

/**
 * The grid as the map shows it: the core's GeoJSON (`gridMap`) in the
 * coordinate system the app's map SDK draws ([system]: GCJ-02 for Amap and
 * Tencent maps, the Android default; BD-09 for Baidu), and the buildings
 * read from it for a list. Re-read after every change to the visit plan.
 */
class MapModel(
    private val calls: StoreCalls,
    private val clock: Clock,
    private val scope: CoroutineScope,
    private val system: CoordSystem = CoordSystem.GCJ02,
    private val policy: VisitPolicy? = null,
) {
    private val mutable = MutableStateFlow<MapState>(MapState.Loading)
    val state: StateFlow<MapState> = mutable.asStateFlow()

    @Volatile
    private var watching: Job? = null

    /** Starts following the grid's map; [close] stops it. */
    fun observe(gridId: String): Job {
        watching?.cancel()
        val store = calls.store
        return scope.launch {
            try {
                store.liveQuery(LiveQuery.VisitsDue(gridId)) { store.gridMap(gridId, clock.today(), policy, clock.now(), system) }
                    .collect { mutable.value = loaded(it) }
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                mutable.value = MapState.Failed(describe(e))
            }
        }.also { watching = it }
    }

    fun close() {
        watching?.cancel()
    }

    companion object {
        /** The map's state from the core's GeoJSON. */
        fun loaded(geoJson: String): MapState.Loaded {
            val collection = Json.parse(geoJson) as Map<*, *>
            val buildings = (collection["features"] as List<*>)
                .map { (it as Map<*, *>)["properties"] as Map<*, *> }
                .filter { it["kind"] == "building" }
                .map { p ->
                    fun count(key: String) = (p[key] as Double).toInt()
                    MapBuilding(
                        buildingId = p["id"] as String,
                        number = p["number"] as String,
                        households = count("households"),
                        due = count("due"),
                        overdue = count("overdue"),
                        reachedThisMonth = count("reachedThisMonth"),
                    )
                }
            return MapState.Loaded(geoJson, collection["coordSystem"] as String, buildings)
        }
    }
}
