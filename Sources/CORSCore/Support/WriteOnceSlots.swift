import Synchronization

/// A fixed number of slots, each written at most once, read without a lock: the bounded memory of the engine's
/// memos. Reading a slot is one atomic load, so readers on every thread never wait on each other, and since nothing
/// is ever replaced, nothing is ever freed while another thread reads it.
///
/// Whatever is asked of it, it holds at most ``capacity`` entries; once full, ``keep(_:)`` keeps nothing more.
final class WriteOnceSlots<Entry: AnyObject & Sendable>: @unchecked Sendable {
    // Each slot holds 0 or the address of an entry it owns one reference to. Unchecked Sendable: the slots are
    // atomics, and the entries they point to are Sendable and never mutated through them.
    private let slots: UnsafeMutablePointer<Atomic<Int>>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        for index in 0..<capacity { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        for index in 0..<capacity {
            if let address = UnsafeRawPointer(bitPattern: slots[index].load(ordering: .acquiring)) {
                Unmanaged<Entry>.fromOpaque(address).release()
            }
        }
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Whether every slot is taken.
    var isFull: Bool { slots[capacity - 1].load(ordering: .acquiring) != 0 }

    /// The first kept entry for which `matches` holds; the slots fill in order, so the search stops at an empty one.
    func first(where matches: (Entry) -> Bool) -> Entry? {
        for index in 0..<capacity {
            guard let address = UnsafeRawPointer(bitPattern: slots[index].load(ordering: .acquiring)) else {
                return nil
            }
            // The slot owns the entry for the slots' lifetime: it is read without a reference of its own.
            let entry = Unmanaged<Entry>.fromOpaque(address)
            if entry._withUnsafeGuaranteedRef(matches) { return entry.takeUnretainedValue() }
        }
        return nil
    }

    /// Keeps `entry` in the first free slot, if there is one.
    func keep(_ entry: Entry) {
        let retained = Unmanaged.passRetained(entry)
        let address = Int(bitPattern: retained.toOpaque())
        for index in 0..<capacity {
            // Another thread may fill a slot first; then the next one is tried.
            if slots[index].compareExchange(expected: 0, desired: address, ordering: .acquiringAndReleasing).exchanged {
                return
            }
        }
        retained.release()
    }
}
