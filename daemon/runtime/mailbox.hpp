// An unbounded multi-producer, single-consumer mailbox of intrusive nodes: the
// queue in front of one actor. A node type provides a `Node* next` member.
//
// Producers push with one compare-and-swap; the consumer takes everything at
// once with one exchange, so there is no ABA problem and the empty mailbox is a
// single null pointer (eight bytes per idle actor).
//
// Thread safety: push() and is_empty() from any thread; take_all() only from the
// one consumer at a time (the actor's turn). Operations are sequentially
// consistent because the scheduler's wake-up protocol (Actor) relies on a push
// being visible to an is_empty() that follows the clearing of the scheduled flag.
#pragma once

#include <atomic>

namespace todo {

template <class Node>
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  ~Mailbox() { delete_all(take_all()); }

  // Takes ownership of node.
  void push(Node* node) {
    node->next = head_.load(std::memory_order_relaxed);
    while (!head_.compare_exchange_weak(node->next, node, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
    }
  }

  bool is_empty() const { return head_.load(std::memory_order_seq_cst) == nullptr; }

  // Everything pushed so far, oldest first, as a linked list the caller owns.
  Node* take_all() {
    Node* newest_first = head_.exchange(nullptr, std::memory_order_seq_cst);
    Node* oldest_first = nullptr;
    while (newest_first != nullptr) {
      Node* next = newest_first->next;
      newest_first->next = oldest_first;
      oldest_first = newest_first;
      newest_first = next;
    }
    return oldest_first;
  }

  static void delete_all(Node* node) {
    while (node != nullptr) {
      Node* next = node->next;
      delete node;
      node = next;
    }
  }

 private:
  std::atomic<Node*> head_{nullptr};
};

}  // namespace todo
