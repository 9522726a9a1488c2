/// How decisions and refusals become HTTP answers.
public struct OutcomeConfig: Sendable {
    /// The status when no route matches the original request (403: what is not mapped is not allowed).
    public var unmatchedStatus: Int
    /// The status for a request that cannot be authorized at all (a missing proxy header, a `..` path, an
    /// oversized target). 400 by default; nginx turns anything but 401 and 403 into a 500, so nginx deployments
    /// may prefer 403.
    public var invalidRequestStatus: Int
    /// The `acr_values` a step-up to level N asks for (RFC 9470), and the level a token's `acr` proves.
    public var acrValues: [UInt32: String]
    /// The `realm` of `WWW-Authenticate` challenges, when set.
    public var realm: String?

    public static let defaultACRValues: [UInt32: String] = [
        1: "urn:vigil:aal1", 2: "urn:vigil:aal2", 3: "urn:vigil:aal3",
    ]

    public init(unmatchedStatus: Int = 403, invalidRequestStatus: Int = 400,
                acrValues: [UInt32: String] = OutcomeConfig.defaultACRValues, realm: String? = nil) {
        self.unmatchedStatus = unmatchedStatus
        self.invalidRequestStatus = invalidRequestStatus
        self.acrValues = acrValues
        self.realm = realm
    }

    /// The level an `acr` value stands for: the highest level mapped to it.
    func level(ofACR acr: String) -> UInt32? {
        acrValues.filter { $0.value == acr }.keys.max()
    }

    /// A `WWW-Authenticate: Bearer` challenge with the realm first and then `params`, each value quoted.
    func challenge(_ params: [(String, String)]) -> String {
        let all = (realm.map { [("realm", $0)] } ?? []) + params
        return all.isEmpty ? "Bearer"
            : "Bearer " + all.map { "\($0.0)=\(ForwardAuthResponse.quoted($0.1))" }.joined(separator: ", ")
    }
}
