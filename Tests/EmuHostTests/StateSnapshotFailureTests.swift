import Foundation
import Testing

/// Without PERSISTENCE the plugins' snapshots are the only copy of their state outside them: a plugin that cannot
/// hand its snapshot over makes an export fail, and an import naming it is refused before any plugin changes.
/// Runs the real host with Tests/Fixtures/bad_plugin.c built with SNAPSHOT_FAILS.
@Suite struct StateSnapshotFailureTests {
    @Test func exportAndImportSayTheSnapshotFailedAndChangeNothing() async throws {
        let fixtures = try BadPluginFixtures.shared.get()
        let host = try RunningHost(environment: ["EMU_PLUGIN_PATH": fixtures.folder.path, "SERVICES": "kms,ok-snapshot-fails"])
        let (exportStatus, _, exportBody) = try await host.request("GET", "/_emu/state/export")
        #expect(exportStatus == 500)
        #expect(String(decoding: exportBody, as: UTF8.self).contains(
            "plugin ok-snapshot-fails could not hand over its present state"))

        let file = #"{"format":"awsemu-state","version":1,"records":[{"plugin":"ok-snapshot-fails","namespace":"n","#
            + #""key":"k","formatVersion":1,"value":""}]}"#
        let (importStatus, _, importBody) = try await host.request("POST", "/_emu/state/import", body: Data(file.utf8))
        #expect(importStatus == 400)
        #expect(String(decoding: importBody, as: UTF8.self).contains(
            "plugin ok-snapshot-fails could not hand over its present state; nothing was changed"))
        // Plugin requests were paused only while the export and the import ran: the gate is open again.
        let (listed, _, _) = try await host.request(
            "POST", "/", headers: ["X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"],
            body: Data("{}".utf8))
        #expect(listed == 200)
        #expect(host.stop() == 0)
    }
}
