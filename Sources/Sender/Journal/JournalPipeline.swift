#if canImport(Glibc)
import Glibc
#endif

/// Journal batches in flight: up to `depth` (journal.in_flight) POSTs at once, each on a thread of its own, while
/// the reader encodes the next batch, so reading, the network and the backend's inserts overlap.
/// The backend may acknowledge them out of order; `acknowledged()` hands them back in order and
/// only up to the first one not acknowledged, so the cursor never passes an entry the backend
/// has not acknowledged.
final class JournalPipeline: @unchecked Sendable {
    let depth: Int

    struct Batch {
        var bytes: [UInt8]
        var entries: Int
        var endCursor: [UInt8]
    }

    private let send: @Sendable ([UInt8], Int) throws(DeliveryError) -> [JournalDelivery.Receipt?]
    // Allocated, not stored inline: pthread objects must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // All below under `mutex`.
    private var waiting: [(sequence: Int, batch: Batch)] = []
    private var finished: [Int: (batch: Batch, receipts: [JournalDelivery.Receipt?])] = [:]
    private var inFlight = 0
    private var submitted = 0
    private var handedBack = 0
    private var failure: DeliveryError?
    private var closing = false
    private var threads: [pthread_t] = []

    init(depth: Int, send: @escaping @Sendable ([UInt8], Int) throws(DeliveryError) -> [JournalDelivery.Receipt?]) {
        self.depth = depth
        self.send = send
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        for _ in 0..<depth {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            if pthread_create(&thread, nil, { context in
                let pipeline = Unmanaged<JournalPipeline>.fromOpaque(context!).takeRetainedValue()
                pipeline.work()
                return nil
            }, context) == 0 {
                threads.append(thread)
            } else {
                Unmanaged<JournalPipeline>.fromOpaque(context).release()
            }
        }
    }

    /// Queues a batch, waiting while `depth` are in flight. A batch without entries (a cursor
    /// past skipped entries) is sent nowhere: it is handed back after the batches before it.
    /// Returns false once a batch has failed: read no further.
    func submit(_ batch: Batch) -> Bool {
        lock()
        defer { unlock() }
        while inFlight >= depth && failure == nil { pthread_cond_wait(changed, mutex) }
        guard failure == nil else { return false }
        if batch.entries == 0 {
            finished[submitted] = (batch, [])
        } else if threads.isEmpty {
            // No thread could be started (a pids limit): send it here, one at a time.
            unlock()
            let outcome = Result { () throws(DeliveryError) in try send(batch.bytes, batch.entries) }
            lock()
            switch outcome {
            case .success(let receipts): finished[submitted] = (batch, receipts)
            case .failure(let error): failure = error
            }
        } else {
            waiting.append((submitted, batch))
            inFlight += 1
            pthread_cond_broadcast(changed)
        }
        submitted += 1
        return true
    }

    /// The batches acknowledged since the last call, in order, up to the first that is not.
    func acknowledged() -> [(batch: Batch, receipts: [JournalDelivery.Receipt?])] {
        lock()
        defer { unlock() }
        var ready: [(batch: Batch, receipts: [JournalDelivery.Receipt?])] = []
        while let next = finished.removeValue(forKey: handedBack) {
            ready.append(next)
            handedBack += 1
        }
        return ready
    }

    /// Waits for every batch in flight, stops the threads, and says why a batch failed, if one did.
    func finish() -> DeliveryError? {
        lock()
        closing = true
        pthread_cond_broadcast(changed)
        while inFlight > 0 { pthread_cond_wait(changed, mutex) }
        unlock()
        for thread in threads { pthread_join(thread, nil) }
        threads.removeAll()
        lock()
        defer { unlock() }
        return failure
    }

    private func work() {
        while true {
            lock()
            while waiting.isEmpty && !closing { pthread_cond_wait(changed, mutex) }
            if waiting.isEmpty {
                unlock()
                return
            }
            let (sequence, batch) = waiting.removeFirst()
            // After a failure nothing more is sent: what follows it could not be saved anyway.
            let skip = failure != nil
            unlock()
            var outcome: Result<[JournalDelivery.Receipt?], DeliveryError> = .success([])
            if !skip {
                do { outcome = .success(try send(batch.bytes, batch.entries)) } catch { outcome = .failure(error) }
            }
            lock()
            switch outcome {
            case .success(let receipts) where !skip: finished[sequence] = (batch, receipts)
            case .failure(let error) where failure == nil: failure = error
            default: break
            }
            inFlight -= 1
            pthread_cond_broadcast(changed)
            unlock()
        }
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    private func lock() { pthread_mutex_lock(mutex) }
    private func unlock() { pthread_mutex_unlock(mutex) }
}
