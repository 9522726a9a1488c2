import VigilPolicy
import VigilSchema

/// The schema the data tests parse against (also given to cedarpy when the expectations were checked).
let testSchemaText = """
    namespace App {
      entity Team;
      entity User in [Team] = {
        name: String,
        age?: Long,
        ip?: ipaddr,
        score?: decimal,
        manager?: User,
        nicknames?: Set<String>,
        address?: { street: String, zip?: Long },
      } tags String;
      entity Doc = { owner: User, created: datetime, ttl?: duration };
      entity Color enum ["red", "green"];
      action view appliesTo {
        principal: [User],
        resource: [Doc],
        context: { ip: ipaddr, level?: Long, when?: datetime, color?: Color },
      };
      action edit in [view] appliesTo { principal: [User], resource: [Doc] };
    }
    """

let testSchema: Schema = {
    do {
        return try Schema.parse(file: SourceFile(name: "test.cedarschema", text: testSchemaText))
    } catch {
        fatalError("the test schema does not parse: \(error)")
    }
}()

func uid(_ type: String, _ id: String) -> EntityUID {
    EntityUID(type: Name(qualified: type), id: id)
}
