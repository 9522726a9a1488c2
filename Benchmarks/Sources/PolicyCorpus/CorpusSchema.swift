/// The schema every generated policy validates against: a multi-tenant code-hosting and documents service.
///
/// It is deliberately broad (entity hierarchies several levels deep, optional attributes, nested records, sets,
/// tags, all four extension types, action groups, actions that apply to several principal types) so validation
/// exercises most of the type checker.
extension PolicyCorpus {
    public static let schema = """
    // Generated for Vigil's benchmarks; policies from PolicyCorpus.policies(count:seed:) validate against it.
    namespace Corp {
      entity Tenant = { name: String, plan: String, region: String };
      entity Department in [Department, Tenant] = { costCenter: String };
      entity Team in [Team, Department] = { name: String };
      entity Role;
      entity User in [Team, Department, Role] = {
        email: String,
        tenant: Tenant,
        level: Long,
        risk: Long,
        active: Bool,
        manager?: User,
        skills: Set<String>,
        location: { country: String, region: String },
        contractEnds?: datetime,
      } tags String;
      entity ServiceAccount in [Team] = { tenant: Tenant, scopes: Set<String>, allowedNetwork: ipaddr };
      entity Project in [Tenant] = {
        tenant: Tenant,
        owner: User,
        members: Set<User>,
        visibility: String,
        budget: decimal,
      };
      entity Repository in [Project] = {
        project: Project,
        owner: User,
        private: Bool,
        archived: Bool,
        topics: Set<String>,
      } tags String;
      entity Document in [Project] = {
        owner: User,
        title: String,
        classification: Long,
        readers: Set<User>,
        created: datetime,
        retention: duration,
      };
      entity Invoice in [Tenant] = {
        tenant: Tenant,
        amount: decimal,
        issued: datetime,
        status: String,
        approver?: User,
      };

      type RequestContext = {
        ip: ipaddr,
        now: datetime,
        mfa: Bool,
        sessionAge: duration,
        userAgent: String,
        geo?: { country: String },
      };

      action read, write, administer;
      action viewRepository, cloneRepository in [read]
        appliesTo { principal: [User, ServiceAccount], resource: Repository, context: RequestContext };
      action pushRepository, mergePullRequest in [write]
        appliesTo { principal: [User, ServiceAccount], resource: Repository, context: RequestContext };
      action deleteRepository, transferRepository in [administer]
        appliesTo { principal: User, resource: Repository, context: RequestContext };
      action viewDocument in [read]
        appliesTo { principal: User, resource: Document, context: RequestContext };
      action editDocument in [write]
        appliesTo { principal: User, resource: Document, context: RequestContext };
      action viewProject in [read]
        appliesTo { principal: [User, ServiceAccount], resource: Project, context: RequestContext };
      action manageProject in [administer]
        appliesTo { principal: User, resource: Project, context: RequestContext };
      action viewInvoice in [read]
        appliesTo { principal: User, resource: Invoice, context: RequestContext };
      action approveInvoice in [write]
        appliesTo { principal: User, resource: Invoice, context: RequestContext };
    }

    """
}
