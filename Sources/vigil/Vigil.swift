import ArgumentParser

/// The `vigil` command-line tool.
@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Check, format, compile and decide Cedar policies with Vigil; verify its audit trail.",
        discussion: """
            Vigil decides access with Cedar policies. Start with `vigil check`, which parses your policies and, \
            given a schema, validates them the way Cedar's strict validator does:

              vigil check examples/saas/policies --schema examples/saas/schema.cedarschema \\
                --entities examples/saas/entities.json

            Errors are printed as file:line:column with the offending source line.
            """,
        subcommands: [CheckCommand.self, FormatCommand.self, CompileCommand.self, AuthorizeCommand.self, BenchCommand.self,
                      AuditCommand.self, ImportCommand.self])
}
