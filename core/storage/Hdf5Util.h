#pragma once
#include "core/model/DType.h"

#include <hdf5.h>

#include <QString>
#include <QStringList>
#include <vector>

/** Small HDF5 C API helpers shared by the writer and the inspector. Internal to storage. */
namespace acquila::storage::h5 {

/** Owns an HDF5 identifier and closes it with the matching H5?close. Move-only. */
class Hid {
public:
    Hid() = default;
    explicit Hid(hid_t id) : id_(id) {}
    ~Hid() { reset(); }
    Hid(Hid&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
    Hid& operator=(Hid&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = o.id_;
            o.id_ = H5I_INVALID_HID;
        }
        return *this;
    }
    Hid(const Hid&) = delete;
    Hid& operator=(const Hid&) = delete;
    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    /** Closes now; false when HDF5 reported an error (e.g. a failed final write). */
    bool reset();
    hid_t release() {
        hid_t id = id_;
        id_ = H5I_INVALID_HID;
        return id;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

/**
 * Turns off HDF5's automatic error printing for the calling thread (the
 * thread-safe library keeps one error stack per thread) and clears the stack.
 */
void quietErrors();

/**
 * The calling thread's HDF5 error stack as one line ("major: minor: detail; ..."),
 * innermost first, with the OS error spelled out when a file write failed
 * (e.g. "No space left on device"); clears the stack.
 */
QString takeErrorStack();

/** The innermost entry of takeErrorStack(): the one line that says what went wrong. */
QString takeFirstError();

/** "<file>: <operation>: <hdf5 stack>", the form of every storage error. */
QString failure(const QString& file, const QString& operation);

hid_t nativeType(model::DType t);
/** Variable-length UTF-8 string type (caller owns). */
hid_t vlenStringType();

/** Creates a scalar variable-length UTF-8 string dataset; false on error. */
bool writeStringDataset(hid_t parent, const char* name, const QString& value);
/**
 * Creates a scalar fixed-length (`size` bytes, NUL-padded) UTF-8 string dataset:
 * unlike a variable-length one it can be rewritten in place while SWMR writing.
 * Longer values are cut at a character boundary.
 */
bool writeFixedStringDataset(hid_t parent, const char* name, const QString& value, size_t size);
/** Overwrites an existing scalar string dataset (variable or fixed length; cut to fit); false on error. */
bool rewriteStringDataset(hid_t parent, const char* name, const QString& value);
bool writeStringAttribute(hid_t object, const char* name, const QString& value);
bool writeStringArrayAttribute(hid_t object, const char* name, const QStringList& values);
bool writeInt64Attribute(hid_t object, const char* name, const std::vector<qint64>& values, bool scalar);

/** Most bytes a string read keeps; longer strings are cut there. */
inline constexpr size_t kMaxStringBytes = 1 << 20;
/** Most elements a string-array attribute may have to be read at all. */
inline constexpr hssize_t kMaxAttributeStrings = 64;

/**
 * Reads the first string of a string dataset (variable or fixed length, any
 * shape), reading that element only and at most kMaxStringBytes of it, so a
 * hostile file cannot make it allocate or read much. Empty on error, with
 * `*problem` (if given) saying why, e.g. "is not a string dataset".
 */
QString readStringDataset(hid_t parent, const char* name, bool* ok = nullptr, QString* problem = nullptr);

/**
 * The bytes a contiguous variable-length dataset stores for its first `count` elements
 * (at most 2^20), summed from the raw elements (a 4-byte length each) read with pread,
 * or -1 when that cannot be done (other layouts or file drivers). libhdf5 allocates a
 * buffer of each stored length before it reads the element: a damaged file can claim
 * 4 GiB for one string, so readers check this first.
 */
qint64 storedVlenBytes(hid_t ds, hsize_t count);
/**
 * Reads a string or string-array attribute (joined by ',' for arrays); empty if
 * absent, not a string, or larger than kMaxAttributeStrings elements or
 * kMaxStringBytes of fixed-length text.
 */
QString readStringAttribute(hid_t object, const char* name);
QStringList readStringArrayAttribute(hid_t object, const char* name);

}  // namespace acquila::storage::h5
