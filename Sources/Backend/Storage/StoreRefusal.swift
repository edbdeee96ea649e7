import HTTPTypes

/// A store's refusal of what was asked, not a failure: the caller hears why, as a 4xx.
protocol StoreRefusal: Error {
    var status: HTTPResponse.Status { get }
    var message: String { get }
    var field: String? { get }
}
