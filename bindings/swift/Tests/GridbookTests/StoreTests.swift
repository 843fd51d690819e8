// The store as an iOS app uses it: roster, search, household detail,
// residents, visits, the day's plan (visitsDue), building heads, patrols,
// conflicts made by exchanging change sets, and the sync status.
import Foundation
import XCTest

import Gridbook

final class StoreTests: TempDirTestCase {
    func testRosterSearchHouseholdDetailAndMasking() async throws {
        let store = try await openStore(dir("roster"), "w-zhang")
        let f = try await fixture(store)
        let residentId = try await store.createResident(input: residentInput(f.household, idNumber: "11010519491231002X"))
        await XCTAssertEqualAsync(await store.identity(), identity("w-zhang"))
        await XCTAssertEqualAsync(try await store.grids().map(\.id), [f.grid])
        await XCTAssertEqualAsync(try await store.grids().map(\.name), ["文新一网格"])
        await XCTAssertEqualAsync(try await store.buildings(gridId: f.grid).map(\.id), [f.building])

        let roster = try await store.roster(gridId: f.grid)
        XCTAssertEqual(roster.count, 1)
        XCTAssertEqual(roster[0].household.room, "502")
        XCTAssertEqual(roster[0].household.buildingNumber, "3栋")
        XCTAssertEqual(roster[0].household.status, .active)
        XCTAssertEqual(roster[0].memberCount, 1)
        XCTAssertNil(roster[0].lastVisit)

        let hits = try await store.search(gridId: f.grid, query: "王", limit: 10)
        XCTAssertEqual(hits.count, 1)
        XCTAssertEqual(hits[0].residentId, residentId)
        XCTAssertEqual(hits[0].householdId, f.household)
        XCTAssertEqual(hits[0].matched, .name)
        XCTAssertFalse(hits[0].display.contains("王秀英"), "search display is not masked: \(hits[0].display)")
        let byPhone = try await store.search(gridId: f.grid, query: "8000", limit: 10)
        XCTAssertEqual(byPhone.map(\.matched), [.phoneSuffix])
        XCTAssertFalse(byPhone[0].display.contains("13800138000"), "phone shown unmasked: \(byPhone[0].display)")
        for typed in ["wxy", "wangxiuying", "王xy"] {
            let byPinyin = try await store.search(gridId: f.grid, query: typed, limit: 10)
            XCTAssertEqual(byPinyin.map(\.residentId), [residentId], typed)
            XCTAssertEqual(byPinyin.map(\.matched), [.pinyin], typed)
        }
        for typed in ["3-1-502", "3栋1单元502", "3号楼1单元502室", "三栋"] {
            let byAddress = try await store.search(gridId: f.grid, query: typed, limit: 10)
            XCTAssertEqual(byAddress.map(\.householdId), [f.household], typed)
            XCTAssertEqual(byAddress.map(\.matched), [.address], typed)
        }
        await XCTAssertEqualAsync(try await store.search(gridId: f.grid, query: "赵", limit: 10).count, 0)

        let detail = try await store.household(householdId: f.household)
        XCTAssertEqual(detail.household.id, f.household)
        XCTAssertEqual(detail.members.map(\.id), [residentId])
        XCTAssertEqual(detail.members[0].birthDate, day(1941, 3, 2))
        XCTAssertEqual(detail.visits.count, 0)

        XCTAssertEqual(detail.members[0].phones, ["138****8000"], "members read masked")
        XCTAssertEqual(detail.members[0].idNumber, "110105********002X")

        let resident = try await store.resident(residentId: residentId)
        XCTAssertEqual(resident.phones, ["138****8000"], "the resident reads masked")
        XCTAssertEqual(resident.idNumber, "110105********002X")
        XCTAssertEqual(resident.name, "王秀英", "names are not masked by the core")
        XCTAssertEqual(resident.care, ["elderly_alone"])
        XCTAssertEqual(resident.status, .active)
        let cared = try await store.residentsByCare(gridId: f.grid, category: "elderly_alone")
        XCTAssertEqual(cared.map(\.id), [residentId])
        XCTAssertEqual(cared.map(\.phones), [["138****8000"]], "the care list reads masked")
        await XCTAssertEqualAsync(try await store.residentsByCare(gridId: f.grid, category: "left_behind_child").count, 0)
        XCTAssertTrue(careCategories().contains { $0.code == "elderly_alone" && !$0.label.isEmpty })

        // Grid, building, household and resident: four changes waiting for the server.
        let status = try await store.syncStatus()
        XCTAssertEqual(status.unsentChanges, 4)
        XCTAssertGreaterThan(status.unsentBytes, 0)

        // The reveal shows the full values; maskResident masks them again.
        let full = try await store.revealed(residentId)
        XCTAssertEqual(full.phones, ["13800138000"])
        XCTAssertEqual(full.idNumber, "11010519491231002X")
        XCTAssertEqual(maskResident(resident: full), resident)
    }

    func testResidentsUpdateRetireAndHouseholdHead() async throws {
        let store = try await openStore(dir("residents"), "w-zhang")
        let f = try await fixture(store)
        let first = try await store.createResident(input: residentInput(f.household))
        var input = residentInput(f.household, phone: "13900139000")
        input.name = "李建国"
        input.gender = .male
        input.care = []
        let second = try await store.createResident(input: input)
        try await store.setHouseholdHead(householdId: f.household, residentId: second)
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).household.headId, second)
        await XCTAssertEqualAsync(try await store.roster(gridId: f.grid)[0].memberCount, 2)

        try await store.updateResident(residentId: first, input: residentInput(f.household, phone: "13700137000"))
        await XCTAssertEqualAsync(try await store.resident(residentId: first).phones, ["137****7000"])
        await XCTAssertEqualAsync(try await store.revealed(first).phones, ["13700137000"], "the new phone stored in full")

        try await store.retireResident(residentId: first, status: .deceased, on: day(2025, 3, 1))
        let retired = try await store.resident(residentId: first)
        XCTAssertEqual(retired.status, .deceased)
        XCTAssertEqual(retired.movedOut, day(2025, 3, 1))
        await XCTAssertEqualAsync(try await store.residentsByCare(gridId: f.grid, category: "elderly_alone").count, 0, "the deceased leave the care list")

        // A retired building takes no new household.
        let other = try await store.createBuilding(gridId: f.grid, input: BuildingInput(number: "4栋", estate: nil, units: 1, floors: 3, location: nil))
        try await store.retireBuilding(buildingId: other)
        await XCTAssertEqualAsync(try await store.buildings(gridId: f.grid).first { $0.id == other }?.retired, true)
        let household = HouseholdInput(buildingId: other, unit: "1", floor: 1, room: "101", useKind: .rented, tags: [], location: nil, notes: nil)
        let error = await expectGridbookError("a household in a retired building") { try await store.createHousehold(input: household) }
        XCTAssertEqual(error, .Retired(kind: .building, id: other))
        await XCTAssertEqualAsync(try await store.roster(gridId: f.grid).count, 1, "nothing stored by the failed call")

        try await store.moveOutHousehold(householdId: f.household)
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).household.status, .movedOut)
        try await store.reactivateHousehold(householdId: f.household)
        await XCTAssertEqualAsync(try await store.household(householdId: f.household).household.status, .active)
    }

    func testLogAndAmendVisit() async throws {
        let store = try await openStore(dir("visit"), "w-zhang")
        let f = try await fixture(store)
        let residentId = try await store.createResident(input: residentInput(f.household))
        let visitId = try await store.logVisit(input: visitInput(f.household, seen: [residentId], notes: "身体尚好"))
        let logged = try await store.household(householdId: f.household).visits
        XCTAssertEqual(logged.map(\.id), [visitId])
        XCTAssertEqual(logged[0].workerId, "w-zhang")
        XCTAssertEqual(logged[0].notes, "身体尚好")
        XCTAssertEqual(logged[0].residentsSeen, [residentId])
        XCTAssertEqual(logged[0].findings.map(\.resolution), [.escalated])
        XCTAssertEqual(logged[0].gps?.accuracyM, 8.0)

        var amend = visitInput(f.household, seen: [residentId], notes: "已送餐")
        amend.findings = [FindingInput(id: logged[0].findings[0].id, kind: .request, text: "需要助餐服务", resolution: .solvedOnSite)]
        try await store.amendVisit(visitId: visitId, input: amend)
        let amended = try await store.household(householdId: f.household).visits
        XCTAssertEqual(amended.count, 1)
        XCTAssertEqual(amended[0].notes, "已送餐")
        XCTAssertEqual(amended[0].findings.map(\.id), [logged[0].findings[0].id], "the finding keeps its id")
        XCTAssertEqual(amended[0].findings.map(\.resolution), [.solvedOnSite])

        await XCTAssertEqualAsync(try await store.visitsByWorker(workerId: "w-zhang", from: day(2020, 1, 1), to: todayInChina()).map(\.id), [visitId])
        await XCTAssertEqualAsync(try await store.visitsByWorker(workerId: "w-li", from: day(2020, 1, 1), to: todayInChina()).count, 0)
        await XCTAssertEqualAsync(try await store.roster(gridId: f.grid)[0].lastVisit?.offsetMinutes, 480)
    }

    func testBuildingHeads() async throws {
        let store = try await openStore(dir("heads"), "w-zhang")
        let f = try await fixture(store)
        await XCTAssertEqualAsync(try await store.buildingsWithoutHead(gridId: f.grid).map(\.id), [f.building])
        let first = try await store.appointBuildingHead(buildingId: f.building, person: .volunteer(name: "李大爷"), startsOn: day(2025, 1, 1))
        await XCTAssertEqualAsync(try await store.buildingsWithoutHead(gridId: f.grid).count, 0)
        let residentId = try await store.createResident(input: residentInput(f.household))
        let second = try await store.appointBuildingHead(buildingId: f.building, person: .resident(residentId: residentId), startsOn: day(2025, 6, 1))
        let current = try await store.currentBuildingHeads(gridId: f.grid)
        XCTAssertEqual(current.map(\.id), [second])
        XCTAssertEqual(current[0].person, .resident(residentId: residentId))
        XCTAssertEqual(current[0].appointedBy, "w-zhang")
        XCTAssertTrue(current[0].isCurrent)
        let history = try await store.buildingHeadHistory(buildingId: f.building)
        XCTAssertEqual(history.map(\.id), [second, first], "newest first")
        XCTAssertEqual(history[1].endsOn, day(2025, 6, 1), "the first term ended")
        XCTAssertEqual(history[1].person, .volunteer(name: "李大爷"))
        try await store.endBuildingHead(appointmentId: second, endsOn: day(2025, 7, 1))
        await XCTAssertEqualAsync(try await store.buildingsWithoutHead(gridId: f.grid).map(\.id), [f.building])
        await XCTAssertEqualAsync(try await store.currentBuildingHeads(gridId: f.grid).count, 0)
    }

    func testPatrolTeamShiftAndCheckin() async throws {
        let store = try await openStore(dir("patrol"), "w-zhang")
        let f = try await fixture(store)
        let team = try await store.createPatrolTeam(gridId: f.grid, name: "夜巡队", members: [TeamMember(memberId: "v-0001", name: "赵师傅")])
        try await store.addTeamMember(teamId: team, member: TeamMember(memberId: "v-0002", name: "钱阿姨"))
        let teams = try await store.patrolTeams(gridId: f.grid)
        XCTAssertEqual(teams.map(\.id), [team])
        XCTAssertEqual(teams[0].members.map(\.memberId).sorted(), ["v-0001", "v-0002"])

        let date = todayInChina()
        let shift = try await store.createShift(input: ShiftInput(teamId: team, date: date, starts: timeOfDay(0, 0), ends: timeOfDay(23, 59), route: [f.building]))
        try await store.assignToShift(shiftId: shift, memberId: "v-0001")
        await XCTAssertEqualAsync(try await store.upcomingShifts(memberId: "v-0001", from: date).map(\.id), [shift])
        let on = try await store.shiftsOn(gridId: f.grid, date: date)
        XCTAssertEqual(on.map(\.id), [shift])
        XCTAssertEqual([on[0].starts, on[0].ends], [timeOfDay(0, 0), timeOfDay(23, 59)])
        XCTAssertEqual(on[0].members, ["v-0001"])
        XCTAssertEqual(on[0].route, [f.building])

        let checkin = try await store.recordCheckin(input: CheckinInput(shiftId: shift, memberId: "v-0001", at: now(), checkpoint: f.building, gps: nil))
        await XCTAssertEqualAsync(try await store.shiftCheckins(shiftId: shift).map(\.id), [checkin])
        let offRoute = await expectGridbookError("a check-in off the route") {
            try await store.recordCheckin(input: CheckinInput(shiftId: shift, memberId: "v-0001", at: now(), checkpoint: "elsewhere", gps: nil))
        }
        guard case .Invalid(let field, _)? = offRoute else {
            return XCTFail("expected Invalid, got \(String(describing: offRoute))")
        }
        XCTAssertEqual(field, "checkpoint")
        let badTime = await expectGridbookError("a malformed start time") {
            try await store.createShift(input: ShiftInput(teamId: team, date: date, starts: timeOfDay(25, 0), ends: timeOfDay(23, 59), route: []))
        }
        // A time inside a record is checked as it crosses into Rust, where the field is not known: the error names its type.
        XCTAssertEqual(badTime, .Invalid(field: "time", reason: .timeFormat))
        await XCTAssertEqualAsync(try await store.shiftCheckins(shiftId: shift).count, 1, "nothing stored by the failed check-in")

        try await store.unassignFromShift(shiftId: shift, memberId: "v-0001")
        try await store.cancelShift(shiftId: shift)
        await XCTAssertEqualAsync(try await store.upcomingShifts(memberId: "v-0001", from: date).count, 0, "a cancelled shift is left out")
    }

    func testConcurrentEditsOfTheSamePhoneMakeOneConflict() async throws {
        let dir = try dir("conflict")
        let a = try await openStore(dir, "w-zhang")
        let b = try await openStore(dir, "w-li")
        let f = try await fixture(a)
        let residentId = try await a.createResident(input: residentInput(f.household))
        let set = try await a.exportSince(cursor: 0)
        XCTAssertGreaterThan(set.chunks, 0)
        XCTAssertFalse(set.bytes.isEmpty)
        let report = try await b.importChanges(bytes: set.bytes)
        XCTAssertEqual(report.newChanges + report.newSnapshots, 4, "grid, building, household and resident: \(report)")
        let again = try await b.importChanges(bytes: set.bytes)
        XCTAssertEqual(again.newChanges, 0, "importing twice is harmless")
        XCTAssertEqual(again.newSnapshots, 0)
        await XCTAssertEqualAsync(try await b.resident(residentId: residentId).phones, ["138****8000"])
        await XCTAssertEqualAsync(try await b.roster(gridId: f.grid).map(\.household.id), [f.household])

        let cursorA = try await a.exportSince(cursor: 0).cursor
        let cursorB = try await b.exportSince(cursor: 0).cursor
        try await a.updateResident(residentId: residentId, input: residentInput(f.household, phone: "13900139000"))
        try await b.updateResident(residentId: residentId, input: residentInput(f.household, phone: "13700137000"))
        await XCTAssertEqualAsync(try await b.importChanges(bytes: a.exportSince(cursor: cursorA).bytes).newChanges, 1)
        await XCTAssertEqualAsync(try await a.importChanges(bytes: b.exportSince(cursor: cursorB).bytes).newChanges, 1)
        for (name, store) in [("a", a), ("b", b)] {
            let conflicts = try await store.conflicts(gridId: f.grid)
            XCTAssertEqual(conflicts.count, 1, "conflicts in \(name): \(conflicts)")
            XCTAssertEqual(conflicts.first?.recordKind, .resident)
            XCTAssertEqual(conflicts.first?.recordId, residentId)
            XCTAssertEqual(conflicts.first?.field, "phones")
            XCTAssertEqual(conflicts.first?.values.count, 2)
            XCTAssertEqual(conflicts.first?.values.filter(\.isWinner).count, 1)
            XCTAssertEqual(Set(conflicts.first?.values.compactMap(\.workerId) ?? []), ["w-zhang", "w-li"])
            XCTAssertEqual(conflicts.first?.values.map(\.valueJson).sorted(), ["\"137****7000\"", "\"139****9000\""], "listed masked in \(name)")
        }
        await XCTAssertEqualAsync(try await a.revealed(residentId).phones, try await b.revealed(residentId).phones, "both converge")
        let winner = try await a.revealed(residentId).phones
        XCTAssertTrue(winner == ["13900139000"] || winner == ["13700137000"], "winner \(winner)")
    }

    func testTheDaysPlanUnderTheDefaultAndACustomPolicy() async throws {
        let store = try await openStore(dir("plan"), "w-zhang")
        let f = try await fixture(store)
        _ = try await store.createResident(input: residentInput(f.household))
        let today = todayInChina()
        let due = try await store.visitsDue(gridId: f.grid, today: today, policy: nil)
        XCTAssertEqual(due.map(\.household.id), [f.household])
        XCTAssertEqual(due.first?.memberCount, 1)
        XCTAssertEqual(due.first?.careCategories, ["elderly_alone"])
        XCTAssertEqual(due.first?.intervalDays, 7, "weekly for an elder living alone")
        XCTAssertNil(due.first?.dueOn, "never reached")
        XCTAssertNil(due.first?.lastReachedOn)
        XCTAssertNil(due.first?.lastVisit)
        XCTAssertEqual(due.first?.daysOverdue, 0)
        let policy = defaultVisitPolicy()
        XCTAssertEqual(policy.generalIntervalDays, 90)
        XCTAssertEqual(policy.categoryIntervalDays["elderly_alone"], 7)
        XCTAssertEqual(policy.categoryIntervalDays["veteran"], 90)
        XCTAssertEqual(policy.categoryIntervalDays["left_behind_child"], 30)
        XCTAssertEqual(Set(policy.categoryIntervalDays.keys), Set(careCategories().map(\.code)))

        _ = try await store.logVisit(input: visitInput(f.household, seen: [], notes: "身体尚好"))
        await XCTAssertEqualAsync(try await store.visitsDue(gridId: f.grid, today: today, policy: nil).count, 0, "reached today")
        let inAWeek = addDays(today, 7)
        await XCTAssertEqualAsync(try await store.visitsDue(gridId: f.grid, today: addDays(today, 6), policy: nil).count, 0, "not due before the week is out")
        let again = try await store.visitsDue(gridId: f.grid, today: inAWeek, policy: nil)
        XCTAssertEqual(again.map(\.household.id), [f.household])
        XCTAssertEqual(again.first?.dueOn, inAWeek, "due again a week later")
        XCTAssertEqual(again.first?.lastReachedOn, today)
        XCTAssertEqual(again.first?.lastVisit?.offsetMinutes, 480)
        XCTAssertEqual(again.first?.daysOverdue, 0)
        await XCTAssertEqualAsync(try await store.visitsDue(gridId: f.grid, today: addDays(today, 10), policy: nil).first?.daysOverdue, 3)

        let monthly = VisitPolicy(generalIntervalDays: nil, categoryIntervalDays: ["elderly_alone": 30])
        await XCTAssertEqualAsync(try await store.visitsDue(gridId: f.grid, today: inAWeek, policy: monthly).count, 0, "monthly policy")
        await XCTAssertEqualAsync(try await store.visitsDue(gridId: f.grid, today: addDays(today, 30), policy: monthly).first?.dueOn, addDays(today, 30))
        var zero = monthly
        zero.generalIntervalDays = 0
        let bad = await expectGridbookError("a zero interval") { try await store.visitsDue(gridId: f.grid, today: today, policy: zero) }
        guard case .Invalid(let field, _)? = bad else {
            return XCTFail("expected Invalid, got \(String(describing: bad))")
        }
        XCTAssertEqual(field, "generalIntervalDays")
        await XCTAssertEqualAsync(
            await expectGridbookError("a date that does not exist") { try await store.visitsDue(gridId: f.grid, today: day(2024, 2, 30), policy: nil) },
            // Checked as it crosses into Rust, where the argument is not known: the error names its type.
            .Invalid(field: "date", reason: .dateFormat)
        )
    }

    func testOneStoreSharedBetweenThreads() async throws {
        let store = try await openStore(dir("threads"), "w-zhang")
        let f = try await fixture(store)
        let failures = Failures()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do {
                        _ = try await store.logVisit(input: visitInput(f.household, seen: [], notes: "线程 \(i)"))
                        _ = try await store.roster(gridId: f.grid)
                    } catch {
                        failures.add("\(i): \(error)")
                    }
                }
            }
        }
        XCTAssertEqual(failures.all, [])
        let notes = try await store.household(householdId: f.household).visits.compactMap(\.notes).sorted()
        XCTAssertEqual(notes, (0..<8).map { "线程 \($0)" }.sorted())
    }

    func testOpenWithOptionsTodayCompactAndRebuildQueryTables() async throws {
        let dir = try dir("options")
        let path = dir.appendingPathComponent("w-zhang.db").path
        XCTAssertEqual(
            defaultStoreOptions(),
            StoreOptions(
                key: nil, localOffsetMinutes: 480, compactAfterChanges: 256, cachedDocuments: 8,
                maxPhotoBytes: 5 * 1024 * 1024, photoCacheBytes: 200 * 1024 * 1024
            )
        )
        var options = defaultStoreOptions()
        options.key = rawKey("secret")
        options.compactAfterChanges = 4
        do {
            let store = try await Store.openWithOptions(path: path, identity: identity("w-zhang"), options: options)
            let f = try await fixture(store)
            let residentId = try await store.createResident(input: residentInput(f.household))
            let roster = try await store.roster(gridId: f.grid)
            XCTAssertEqual(roster.map(\.household.id), [f.household])
            XCTAssertEqual(roster[0].memberCount, 1)
            try await store.compact()
            try await store.rebuildQueryTables()
            await XCTAssertEqualAsync(try await store.roster(gridId: f.grid), roster, "roster after compact and rebuild")
            await XCTAssertEqualAsync(try await store.resident(residentId: residentId).name, "王秀英")
            await XCTAssertEqualAsync(await store.today(), todayInChina())
        }
        await XCTAssertEqualAsync(await expectGridbookError("opened without its key") { try await openStore(dir, "w-zhang") }, .notADatabase)
        var zero = options
        zero.compactAfterChanges = 0
        await XCTAssertEqualAsync(
            await expectGridbookError("a zero compaction threshold") {
                try await Store.openWithOptions(path: path, identity: identity("w-zhang"), options: zero)
            },
            .Invalid(field: "compactAfterChanges", reason: .outOfRange)
        )
        var noPhotos = options
        noPhotos.maxPhotoBytes = 0
        await XCTAssertEqualAsync(
            await expectGridbookError("a zero photo cap") {
                try await Store.openWithOptions(path: path, identity: identity("w-zhang"), options: noPhotos)
            },
            .Invalid(field: "maxPhotoBytes", reason: .outOfRange)
        )
        var negativeCache = options
        negativeCache.photoCacheBytes = -1
        await XCTAssertEqualAsync(
            await expectGridbookError("a negative photo cache") {
                try await Store.openWithOptions(path: path, identity: identity("w-zhang"), options: negativeCache)
            },
            .Invalid(field: "photoCacheBytes", reason: .outOfRange)
        )
        let reopened = try await Store.openWithOptions(path: path, identity: identity("w-zhang"), options: options)
        await XCTAssertEqualAsync(try await reopened.grids().map(\.name), ["文新一网格"], "reopened with its key")
    }
}

/// Failures collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
