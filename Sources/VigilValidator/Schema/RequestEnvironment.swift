import VigilPolicy

/// One kind of request a policy must typecheck for: the principal and resource entity types, the action, the
/// context type, and for a template the entity types its slots are linked to.
struct RequestEnvironment: Hashable, Sendable {
    var principal: Name
    var action: EntityUID
    var resource: Name
    var context: ValueType
    /// The type `?principal` is linked to; `nil` when the policy has no such slot.
    var principalSlot: Name? = nil
    var resourceSlot: Name? = nil

    /// The type of a slot in this environment.
    func type(of slot: Slot) -> ValueType {
        let linked = slot == .principal ? principalSlot : resourceSlot
        return linked.map { .entity($0) } ?? .anyEntity
    }
}
