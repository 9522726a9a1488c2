import Foundation
import Logging
import VigilCompiler
import VigilData
import VigilPolicy

/// The index's only writer inside vigild. It owns the policy sources, the data state and the journal, and turns
/// each accepted policy edit or data change into exactly one generation. Being an actor serialises publishes, so
/// a data change never interleaves with a policy publish. It runs on a thread of its own (`WriterThread`), since
/// compiling and fsyncing block.
public actor Publisher {
    private let thread = WriterThread(name: "vigild-publisher")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    private let writer: IndexWriter
    private let policyDirectory: PolicyDirectory
    private let journal: DataJournal
    private let logger: Logger
    private var sources: PolicySources?
    private var fingerprint: PolicyDirectory.Fingerprint?
    private var state: DataState
    /// The state the seed files give, before any journaled change: what a compacted journal starts from.
    private let seed: DataState
    /// The journal is compacted when it holds this many records, and twice as many as right after the last
    /// compaction, so compacting stays rare however large the state grows.
    private let compactAfter: Int
    private var compactedRecords = 0
    private var current = PublishStatus()

    /// Opens the journal, replays it over the seed entities and loads the policies; call `start()` next.
    /// - Parameters:
    ///   - writer: the index writer (it holds the index's writer lock).
    ///   - seedEntities: entities read at every start (Cedar JSON), before the journal's changes.
    ///   - seedLinks: template links read at every start (Cedar JSON), likewise.
    ///   - journalPath: the data journal (created if missing).
    ///   - compactAfter: journal records before the first compaction (`JournalCompaction`).
    /// - Throws: `DataChangeError` when the seed or the journal cannot be read.
    public init(writer: IndexWriter, policies: PolicyDirectory, seedEntities: String?, seedLinks: String? = nil,
                journalPath: String, compactAfter: Int = 10_000, logger: Logger) throws(DataChangeError) {
        self.writer = writer
        self.policyDirectory = policies
        self.logger = logger
        self.compactAfter = max(1, compactAfter)
        // The schema (if it parses) directs the seed and the replayed bodies, as it will the live ones.
        let schemaSources = try? policies.load()
        let schema = schemaSources?.schema
        var seedList: [Entity] = []
        if let seedEntities {
            let file: SourceFile
            do { file = try PolicyFiles.read(seedEntities) } catch {
                throw DataChangeError(status: 500, "cannot read seed entities: \(error)")
            }
            do { seedList = try EntityJSON.parse(file, schema: schema) } catch {
                throw DataChangeError(status: 500, "seed entities `\(seedEntities)`:\n\(error)")
            }
        }
        var state = DataState(entities: seedList.filter { !$0.uid.isAction })
        if let seedLinks {
            let text: String
            do { text = try PolicyFiles.read(seedLinks).text } catch {
                throw DataChangeError(status: 500, "cannot read seed links: \(error)")
            }
            let links: [TemplateLink]
            do { links = try TemplateLinkJSON.parse(SourceFile(name: seedLinks, text: text)) } catch {
                throw DataChangeError(status: 500, "seed links `\(seedLinks)`:\n\(error)")
            }
            for link in links { state.apply(.addLink(link, expiresAtMs: nil)) }
        }
        seed = state
        let records = try DataJournal.read(path: journalPath)
        journal = try DataJournal(path: journalPath, records: records.count)
        compactedRecords = records.count
        self.state = Self.replay(records, over: state, sources: schemaSources) { i, request, error in
            // Only accepted changes are journaled; one that no longer applies (its template was removed from the
            // policies, say) is skipped, loudly.
            logger.warning("journal record \(i + 1) (\(request.op.rawValue)) no longer applies: \(error)")
        }
    }

    /// `state` with `requests` applied in order, each checked as a live request would be; one that does not
    /// apply is passed to `skipped` and left out.
    private static func replay(_ requests: [DataRequest], over state: DataState, sources: PolicySources?,
                               skipped: (Int, DataRequest, DataChangeError) -> Void) -> DataState {
        var state = state
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (i, request) in requests.enumerated() {
            do throws(DataChangeError) {
                let change = try request.change(schema: sources?.schema, nowMs: now)
                _ = try state.indexChanges(for: change, policies: sources?.policies ?? PolicySet())
                state.apply(change)
            } catch {
                skipped(i, request, error)
            }
        }
        return state
    }

    deinit { thread.stop() }

    /// Whether the caller runs on the publisher's own thread (for tests: the actor's methods always do).
    func isOnWriterThread() -> Bool { thread.isCurrent }

    /// The entities, sessions and links published now (for tests).
    func dataState() -> DataState { state }

    /// Records in the journal file now (for tests).
    func journalRecords() -> Int { journal.records }

    /// Loads the policies and publishes a first generation with the data. When the policies have errors, the
    /// index already on disk (if any) keeps serving and the errors are in the status.
    public func start() {
        _ = reloadPolicies(force: true)
    }

    /// The status for `GET /v1/status` and metrics.
    public func status() -> PublishStatus { current }

    /// Publishes the policy files if they changed since the last look. A change that fails to parse or validate
    /// is refused: the live generation keeps serving and the problems are kept in the status.
    /// - Returns: the new generation, or nil when nothing was published.
    @discardableResult
    public func reloadPolicies(force: Bool = false) -> UInt64? {
        let print = policyDirectory.fingerprint()
        guard force || print != fingerprint else { return nil }
        fingerprint = print
        let started = ContinuousClock.now
        let loaded: PolicySources
        do { loaded = try policyDirectory.load() } catch {
            refuse(error)
            return nil
        }
        do {
            let generation = try fullPublish(with: loaded, state: state)
            sources = loaded
            current.live = true
            current.policyErrors = []
            current.policyErrorsAtMs = nil
            let took = (ContinuousClock.now - started).components
            let ms = Double(took.seconds) * 1000 + Double(took.attoseconds) / 1e15
            logger.info("published generation \(generation) in \(String(format: "%.1f", ms)) ms: \(loaded.files.count) policy files, \(state.entities.count) entities")
            return generation
        } catch {
            current.publishErrors += 1
            current.policyErrors = [.init(code: "vigil.publish.failed", message: error.message)]
            current.policyErrorsAtMs = nowMs()
            logger.error("publish failed, the live generation keeps serving: \(error.message)")
            return nil
        }
    }

    /// Applies one data change as one durable generation.
    /// - Returns: the generation that holds the change.
    /// - Throws: `DataChangeError` when the change is invalid (nothing is applied) or cannot be stored.
    public func apply(_ request: DataRequest) throws(DataChangeError) -> UInt64 {
        guard let sources else {
            throw DataChangeError(status: 503, "no policy set is live yet; fix the policy files first")
        }
        let change = try request.change(schema: sources.schema, nowMs: nowMs())
        let changes = try state.indexChanges(for: change, policies: sources.policies)
        var next = state
        next.apply(change)
        let generation: UInt64
        do {
            generation = try writer.apply(changes)
        } catch {
            switch error {
            case .hierarchyChange, .unknown:
                // The index keeps only the closure of `in`; a new parent for an entity with descendants (or a
                // change the incremental path cannot place) is published in full, still as one generation.
                do { generation = try fullPublish(with: sources, state: next) } catch { throw error }
            case .invalidLink(_, let reason):
                throw DataChangeError(reason)
            default:
                current.publishErrors += 1
                throw DataChangeError(status: 500, "\(error)")
            }
        }
        do { try journal.append(request) } catch {
            // Not acknowledged, so not kept: put the index back to the state without the change.
            _ = try? fullPublish(with: sources, state: state)
            throw error
        }
        state = next
        record(generation: generation)
        compactIfDue()
        return generation
    }

    /// Rewrites the journal as the requests that turn the seed into the current state, once it has grown enough
    /// (see `compactAfter`). The compacted requests are replayed in memory first: unless they give exactly the
    /// current state, the journal is left as it is.
    private func compactIfDue() {
        guard journal.records >= max(compactAfter, 2 * compactedRecords) else { return }
        let requests = JournalCompaction.requests(seed: seed, state: state)
        var skipped = 0
        let replayed = Self.replay(requests, over: seed, sources: sources) { _, _, _ in skipped += 1 }
        guard skipped == 0, replayed == state else {
            logger.warning("journal compaction skipped: its \(requests.count) requests do not rebuild the current state")
            compactedRecords = journal.records
            return
        }
        let before = journal.records
        do {
            try journal.rewrite(requests)
            compactedRecords = requests.count
            logger.info("journal compacted: \(before) records -> \(requests.count)")
        } catch {
            compactedRecords = journal.records
            logger.warning("journal compaction failed, the journal keeps growing: \(error.message)")
        }
    }

    /// Publishes an index that denies everything, for a first start whose policy files have errors: hosts then
    /// find an index and fail closed, instead of failing to open one. Does nothing once a policy set is live.
    public func publishDenyAll() throws(DataChangeError) {
        guard sources == nil else { return }
        let compiled: CompiledIndex
        do { compiled = try Compiler(policies: PolicySet()).compile() } catch {
            throw DataChangeError(status: 500, "\(error)")
        }
        do { record(generation: try writer.publish(compiled)) } catch { throw DataChangeError(status: 500, "\(error)") }
        logger.warning("published a deny-all generation \(current.generation): no valid policy set yet")
    }

    /// Frees reader slots of dead host processes.
    public func clearStaleReaders() -> Int {
        (try? writer.clearStaleReaders()) ?? 0
    }

    private func fullPublish(with sources: PolicySources, state: DataState) throws(DataChangeError) -> UInt64 {
        let compiled: CompiledIndex
        do { compiled = try state.compiler(policies: sources.policies, schema: sources.schema).compile() } catch {
            throw DataChangeError(error.all.map { $0.rendered() }.joined(separator: "\n"))
        }
        let generation: UInt64
        do { generation = try writer.publish(compiled) } catch { throw DataChangeError(status: 500, "\(error)") }
        current.policyFiles = sources.files.count
        record(generation: generation, state: state)
        return generation
    }

    private func record(generation: UInt64, state: DataState? = nil) {
        let s = state ?? self.state
        current.generation = generation
        current.publishedAtMs = nowMs()
        current.publishes += 1
        current.entities = s.entities.count
        current.sessions = s.sessions.count
        current.links = s.grants.count
    }

    private func refuse(_ error: PolicySources.LoadError) {
        current.publishErrors += 1
        current.policyErrorsAtMs = nowMs()
        switch error {
        case .unreadable(let message):
            current.policyErrors = [.init(code: "vigil.publish.unreadable", message: message)]
        case .invalid(let diagnostics, _):
            current.policyErrors = diagnostics.map { d in
                PublishStatus.Problem(code: d.code, message: d.message, file: d.file?.name,
                                      line: d.location?.line, column: d.location?.column)
            }
        }
        for p in current.policyErrors {
            let at = [p.file, p.line.map(String.init), p.column.map(String.init)].compactMap { $0 }.joined(separator: ":")
            logger.error("policy edit refused, generation \(current.generation) keeps serving: \(at): \(p.message) [\(p.code)]")
        }
    }

    private func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
