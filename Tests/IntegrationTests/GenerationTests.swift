import Testing

/// Issue 3's "No mixed generations": real reader processes deciding while a writer publishes
/// (MixedGenerationTests.swift) and while writer processes are killed mid-publish (WriterCrashTests.swift).
/// Serialized: each test keeps both cores busy with its own readers and writer, and their timings are reported.
@Suite(.serialized) struct GenerationTests {}
