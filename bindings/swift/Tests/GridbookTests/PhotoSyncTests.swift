// An event's photo through a real gridbook-server: it uploads with the grid
// head's sync, and a department's phone, holding only the grid's events,
// downloads it on demand with the same bytes.
import Foundation
import XCTest

import Gridbook

final class PhotoSyncTests: XCTestCase {
    private var dir: URL!
    private var data: URL!
    private var running: RunningServer?

    /// Started here, on the main thread, as in the other server tests: a
    /// process spawned from a Swift concurrency worker would never see its SIGTERM.
    override func setUpWithError() throws {
        dir = try tempDir("photo-sync")
        data = dir.appendingPathComponent("server-data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try admin(data, "add-worker", "--id", "w-zhang", "--name", "张伟", "--role", "grid_head", "--can-create-grids")
        try admin(data, "add-worker", "--id", "d-housing", "--name", "房管所", "--role", "department")
        running = try RunningServer(data: data, log: dir.appendingPathComponent("server.log"))
    }

    override func tearDown() {
        running?.stop()
        cleanUp(dir)
        super.tearDown()
    }

    func testAnEventsPhotoUploadsWithTheSyncAndADepartmentDownloadsIt() async throws {
        let (dir, data, url) = (self.dir!, self.data!, running!.url)
        let head = SyncServer(url: url, token: try issueToken(data, worker: "w-zhang", device: "张伟的手机").token, settings: defaultSyncSettings())
        let housing = SyncServer(url: url, token: try issueToken(data, worker: "d-housing", device: "房管所的手机").token, settings: defaultSyncSettings())
        let a = try await openStore(dir, "w-zhang")
        let d = try await Store.open(
            path: dir.appendingPathComponent("d-housing.db").path,
            identity: WorkerIdentity(workerId: "d-housing", name: "房管所", role: .department, deviceLabel: "房管所的手机"),
            key: nil
        )
        let f = try await fixture(a)
        let photo = try await a.addPhoto(gridId: f.grid, bytes: pngWithText("幸福小区3栋"))
        let eventId = try await a.reportEvent(input: EventInput(
            gridId: f.grid, category: "fire_lane_blocked", description: "消防通道堵塞",
            urgency: .normal, source: .doorKnocking, at: minute(0), photos: [photo.id]
        ))
        _ = try await a.takeEventStep(input: step(eventId, .accept, 1))
        _ = try await a.takeEventStep(input: step(eventId, .dispatch, 2, assignee: "d-housing"))
        let report = try await a.sync(server: head, listener: nil)
        XCTAssertEqual(report.uploadedPhotos, 1)
        XCTAssertEqual(report.unsentPhotos, 0)
        XCTAssertEqual(report.photoBytesSent, Int64(tinyPng.count))
        await XCTAssertEqualAsync(try await a.photoInfo(photoId: photo.id).upload, .uploaded)

        _ = try admin(data, "assign", "--worker", "d-housing", "--grid", f.grid, "--scope", "events")
        _ = try await d.sync(server: housing, listener: nil)
        await XCTAssertEqualAsync(try await d.event(eventId: eventId).photos, [photo.id])
        await XCTAssertEqualAsync(try await d.grids().count, 0, "a department holds no roster")
        let missing = await expectGridbookError("not downloaded yet") { try await d.photo(photoId: photo.id) }
        guard case .NotFound? = missing else { return XCTFail("expected NotFound, got \(String(describing: missing))") }
        let downloaded = try await d.downloadPhoto(server: housing, gridId: f.grid, photoId: photo.id)
        XCTAssertEqual(downloaded.id, photo.id)
        await XCTAssertEqualAsync(try await d.photo(photoId: photo.id), tinyPng)
    }
}
