import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking GET for `awsemu status`: one request, no dependencies beyond Foundation.
enum SimpleHTTPClient {
    static func get(_ url: String, timeout: TimeInterval = 5) -> (status: Int, body: [UInt8])? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        final class Box: @unchecked Sendable { var result: (Int, [UInt8])? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let response = response as? HTTPURLResponse {
                box.result = (response.statusCode, data.map(Array.init) ?? [])
            }
            done.signal()
        }.resume()
        done.wait()
        return box.result
    }
}
