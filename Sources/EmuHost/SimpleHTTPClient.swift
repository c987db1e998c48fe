import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking GET for `awsemu status`: one request, no dependencies beyond Foundation.
enum SimpleHTTPClient {
    static func get(_ url: String, timeout: TimeInterval = 5) -> (status: Int, body: [UInt8])? {
        send(url, method: "GET", body: nil, timeout: timeout)
    }

    static func post(_ url: String, body: [UInt8], timeout: TimeInterval = 300) -> (status: Int, body: [UInt8])? {
        send(url, method: "POST", body: body, timeout: timeout)
    }

    private static func send(_ url: String, method: String, body: [UInt8]?, timeout: TimeInterval)
        -> (status: Int, body: [UInt8])?
    {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body.map { Data($0) }
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
