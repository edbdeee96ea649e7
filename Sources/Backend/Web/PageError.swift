import Hummingbird

/// An error page: the status and one escaped sentence, with a way back.
struct PageError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String
    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The sentence alone: what `metrics-backend serve` prints when the pages cannot load.
    var description: String { message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(status.code) · metrics</title><link rel="stylesheet" href="/assets/app.css"></head>
            <body><main class="error-page"><h1>\(status.code) \(HTMLText.escape(status.reasonPhrase))</h1>
            <p id="error-message">\(HTMLText.escape(message))</p><p><a href="/dashboard">Back to the dashboard</a></p></main></body></html>
            """
        return Response(status: status, headers: Views.headers(contentType: "text/html; charset=utf-8"),
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
