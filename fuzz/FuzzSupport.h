#pragma once
// Shared pieces of the libFuzzer targets (fuzz/README.md).
#include "core/protocol/Frame.h"

#include <QByteArray>
#include <QString>
#include <cstddef>
#include <cstdint>

namespace acquila::fuzz {

/** The fuzzer's bytes as a QByteArray (a copy: the decoders may keep views into it). */
inline QByteArray bytes(const uint8_t* data, size_t size) {
    return QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
}

/**
 * Runs every decoder that could see `m` in the app or a worker: each message
 * struct's decode(), the store commands, the run layout of a store open, the
 * device descriptions of a describe and, for a lazily kept result body,
 * parseResultBody. Results are discarded: only crashes and sanitizer reports count.
 */
void decodeEverything(const protocol::Message& m);

/**
 * Writes `data` to a private temporary file and returns its path; the same file
 * is overwritten on every call and removed when the process exits.
 */
QString writeTempFile(const uint8_t* data, size_t size, const char* suffix);

}  // namespace acquila::fuzz
