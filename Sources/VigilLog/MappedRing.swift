import CVigil
import Foundation

/// One ring file, mapped read-write as its only consumer (the consumer lock is held while it is open). The ring
/// is another process's memory: everything read from it goes through vigil_ring.h's checked calls.
final class MappedRing {
    let name: String
    /// `name` as a JSON string, quotes included: every trail line drained from this ring carries it. Owned by
    /// the ring (freed with it), so batches being formatted on another thread can point at it.
    let nameJSON: UnsafeRawBufferPointer
    let path: String
    private let fd: Int32
    private let map: UnsafeMutableRawPointer
    private let size: Int

    /// Why a ring file could not be taken.
    enum OpenFailure: Error {
        /// Not (yet) a ring: being created, not a ring file, or an unknown version.
        case notReady
        /// Another consumer drains it.
        case busy
        case io(String)
    }

    init(directory: String, name: String) throws(OpenFailure) {
        self.name = name
        var json = JSONBytes(capacity: name.utf8.count + 16)
        json.string(name)
        path = directory + "/" + name
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .io("\(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= Int(VIGIL_RING_HEADER_BYTES) else {
            close(fd)
            throw .notReady
        }
        size = Int(st.st_size)
        guard let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), m != MAP_FAILED else {
            close(fd)
            throw .io("\(path): mmap: \(String(cString: strerror(errno)))")
        }
        var info = vigil_ring_info()
        guard vigil_ring_check(m, size, &info) == VIGIL_OK else {
            munmap(m, size)
            close(fd)
            throw .notReady
        }
        let lock = vigil_ring_lock_consumer(fd)
        guard lock == VIGIL_OK else {
            munmap(m, size)
            close(fd)
            throw lock == VIGIL_E_LIMIT ? .busy : .io("\(path): cannot lock")
        }
        self.fd = fd
        map = m
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: json.count, alignment: 1)
        copy.copyMemory(from: json.buffer)
        nameJSON = UnsafeRawBufferPointer(copy)
    }

    deinit {
        nameJSON.deallocate()
        munmap(map, size)
        close(fd)   // drops the consumer lock
    }

    /// The header now.
    var info: vigil_ring_info {
        var info = vigil_ring_info()
        _ = vigil_ring_check(map, size, &info)
        return info
    }

    /// Whether the writer closed its handle or died: nothing more will be appended.
    var writerGone: Bool { vigil_ring_writer_gone(fd) == 1 }

    /// Copies complete records from position `from` into `buffer`; returns how many.
    func peek(from: UInt64, into buffer: UnsafeMutableBufferPointer<vigil_ring_record>,
              positions: UnsafeMutablePointer<UInt64>) -> Int {
        vigil_ring_peek(map, size, from, buffer.baseAddress, positions, buffer.count)
    }

    /// Gives `count` records at the head back to the writer.
    func release(_ count: UInt64) -> Bool { vigil_ring_release(map, size, count) == VIGIL_OK }

    /// Skips the head slot when its writer died while writing it; true when one was skipped.
    func skipStalled() -> Bool { vigil_ring_skip_stalled(map, size) == 1 }

    /// Removes the file (the mapping stays valid until this object goes away).
    func unlink() { _ = Foundation.unlink(path) }
}
