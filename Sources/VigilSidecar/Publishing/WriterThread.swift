import Foundation

/// A serial executor with a thread of its own, for the `Publisher` actor. Publishing blocks: compiling 100k
/// entities takes seconds, and every commit waits for `fsync`. On Swift's cooperative pool (one thread per core,
/// so one or two in a sidecar) that would stall the decision log's drain and every other task for as long; on a
/// thread of its own it stalls nothing but the publishes, which are serial anyway.
final class WriterThread: SerialExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopped` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var thread: Thread?

    /// Starts the thread, named `name` (seen in `top -H` and debuggers).
    init(name: String) {
        // The thread holds the executor until `stop()`: queued jobs may outlive every other reference.
        let thread = Thread { self.run() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Whether the caller is running on this executor's thread.
    var isCurrent: Bool { Thread.current === thread }

    /// Lets the thread finish the jobs already queued, then end. Jobs enqueued later never run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        let executor = asUnownedSerialExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            // Take everything queued at once: one lock round trip per burst, not per job.
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
