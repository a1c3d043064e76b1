#include "core/storage/Hdf5Util.h"

#include <cstring>
#include <limits>
#include <regex>
#include <string>
#include <type_traits>
#include <unistd.h>

namespace acquila::storage::h5 {

bool Hid::reset() {
    if (id_ < 0) return true;
    herr_t rc = 0;
    switch (H5Iget_type(id_)) {
    case H5I_FILE: rc = H5Fclose(id_); break;
    case H5I_GROUP: rc = H5Gclose(id_); break;
    case H5I_DATASET: rc = H5Dclose(id_); break;
    case H5I_DATASPACE: rc = H5Sclose(id_); break;
    case H5I_DATATYPE: rc = H5Tclose(id_); break;
    case H5I_ATTR: rc = H5Aclose(id_); break;
    case H5I_GENPROP_LST: rc = H5Pclose(id_); break;
    default: rc = H5Idec_ref(id_); break;
    }
    id_ = H5I_INVALID_HID;
    return rc >= 0;
}

void quietErrors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {
herr_t collect(unsigned n, const H5E_error2_t* err, void* data) {
    auto* lines = static_cast<std::vector<std::string>*>(data);
    if (n >= 8) return 0;  // the outer frames only repeat "can't write" at every API layer
    char minor[128] = {0};
    H5Eget_msg(err->min_num, nullptr, minor, sizeof minor);
    std::string line = err->desc ? err->desc : "";
    if (minor[0]) line = std::string(minor) + " (" + line + ")";
    lines->push_back(line);
    return 0;
}
}  // namespace

QString takeErrorStack() {
    std::vector<std::string> lines;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &lines);
    H5Eclear2(H5E_DEFAULT);
    std::string text;
    for (const auto& l : lines) {
        if (!text.empty()) text += "; ";
        text += l;
    }
    // HDF5 reports failed I/O as "errno = 28"; spell the OS error out so callers
    // and users see e.g. "No space left on device" without decoding numbers.
    std::smatch m;
    static const std::regex errnoRe("errno = ([0-9]+)");
    if (std::regex_search(text, m, errnoRe)) {
        const char* os = std::strerror(std::stoi(m[1].str()));
        if (text.find(os) == std::string::npos) text += std::string("; OS error: ") + os;
        else text = std::string("OS error: ") + os + "; " + text;
    }
    for (char& c : text)
        if (c == '\n') c = ' ';  // ctime() in HDF5's I/O messages ends with a newline
    if (text.empty()) text = "unknown HDF5 error";
    return QString::fromStdString(text);
}

QString takeFirstError() { return takeErrorStack().section(QStringLiteral("; "), 0, 0); }

QString failure(const QString& file, const QString& operation) {
    return QStringLiteral("%1: %2: %3").arg(file, operation, takeErrorStack());
}

namespace {
/** The HDF5 in-memory type of the C++ element type T. */
template <typename T>
hid_t nativeTypeOf() {
    if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
    else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
    else if constexpr (std::is_same_v<T, int64_t>) return H5T_NATIVE_INT64;
    else if constexpr (std::is_same_v<T, int32_t>) return H5T_NATIVE_INT32;
    else if constexpr (std::is_same_v<T, uint8_t>) return H5T_NATIVE_UINT8;
    else if constexpr (std::is_same_v<T, uint16_t>) return H5T_NATIVE_UINT16;
    else if constexpr (std::is_same_v<T, uint32_t>) return H5T_NATIVE_UINT32;
    else static_assert(sizeof(T) == 0, "no HDF5 native type for this element type");
}
}  // namespace

hid_t nativeType(model::DType t) {
    return model::visitDType(t, [](auto tag) { return nativeTypeOf<typename decltype(tag)::type>(); });
}

hid_t vlenStringType() {
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

bool writeStringDataset(hid_t parent, const char* name, const QString& value) {
    Hid type(vlenStringType());
    Hid space(H5Screate(H5S_SCALAR));
    Hid ds(H5Dcreate2(parent, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!ds.valid()) return false;
    QByteArray utf8 = value.toUtf8();
    const char* p = utf8.constData();
    return H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) >= 0;
}

namespace {
/** `utf8` cut to at most `size` bytes without splitting a character, padded with NULs to `size`. */
QByteArray fixedBytes(QByteArray utf8, size_t size) {
    if (static_cast<size_t>(utf8.size()) > size) {
        qsizetype cut = static_cast<qsizetype>(size);
        while (cut > 0 && (static_cast<unsigned char>(utf8[cut]) & 0xC0) == 0x80) --cut;
        utf8.truncate(cut);
    }
    return utf8.leftJustified(static_cast<qsizetype>(size), '\0', true);
}
}  // namespace

bool writeFixedStringDataset(hid_t parent, const char* name, const QString& value, size_t size) {
    Hid type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type, size);
    H5Tset_strpad(type, H5T_STR_NULLPAD);
    H5Tset_cset(type, H5T_CSET_UTF8);
    Hid space(H5Screate(H5S_SCALAR));
    Hid ds(H5Dcreate2(parent, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!ds.valid()) return false;
    const QByteArray bytes = fixedBytes(value.toUtf8(), size);
    return H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.constData()) >= 0;
}

bool rewriteStringDataset(hid_t parent, const char* name, const QString& value) {
    Hid ds(H5Dopen2(parent, name, H5P_DEFAULT));
    if (!ds.valid()) return false;
    Hid fileType(H5Dget_type(ds));
    if (H5Tget_class(fileType) != H5T_STRING) return false;
    if (H5Tis_variable_str(fileType) <= 0) {
        const QByteArray bytes = fixedBytes(value.toUtf8(), H5Tget_size(fileType));
        return H5Dwrite(ds, fileType, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.constData()) >= 0;
    }
    Hid type(vlenStringType());
    QByteArray utf8 = value.toUtf8();
    const char* p = utf8.constData();
    return H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) >= 0;
}

bool writeStringAttribute(hid_t object, const char* name, const QString& value) {
    Hid type(vlenStringType());
    Hid space(H5Screate(H5S_SCALAR));
    Hid attr(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid()) return false;
    QByteArray utf8 = value.toUtf8();
    const char* p = utf8.constData();
    return H5Awrite(attr, type, &p) >= 0;
}

bool writeStringArrayAttribute(hid_t object, const char* name, const QStringList& values) {
    Hid type(vlenStringType());
    hsize_t n = static_cast<hsize_t>(values.size());
    Hid space(H5Screate_simple(1, &n, nullptr));
    Hid attr(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid()) return false;
    std::vector<QByteArray> utf8;
    std::vector<const char*> ptrs;
    for (const auto& v : values) utf8.push_back(v.toUtf8());
    for (const auto& u : utf8) ptrs.push_back(u.constData());
    return H5Awrite(attr, type, ptrs.data()) >= 0;
}

bool writeInt64Attribute(hid_t object, const char* name, const std::vector<qint64>& values, bool scalar) {
    hsize_t n = values.size();
    Hid space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
    Hid attr(H5Acreate2(object, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid()) return false;
    return H5Awrite(attr, H5T_NATIVE_INT64, values.data()) >= 0;
}

namespace {
QString fromUtf8Bounded(const char* p, size_t maxBytes) {
    return p ? QString::fromUtf8(p, static_cast<qsizetype>(strnlen(p, maxBytes))) : QString();
}

// Reads `count` strings of any string type through `read`, which fills a buffer of the memory
// type; the caller has bounded `count` and, for fixed-length strings, their size.
template <typename ReadFn>
QStringList readStrings(hid_t fileType, hssize_t count, ReadFn read) {
    QStringList out;
    if (count <= 0 || H5Tget_class(fileType) != H5T_STRING) return out;
    if (H5Tis_variable_str(fileType) > 0) {
        Hid mem(vlenStringType());
        std::vector<char*> ptrs(static_cast<size_t>(count), nullptr);
        if (read(mem.get(), ptrs.data()) < 0) return out;
        for (char* p : ptrs) out << fromUtf8Bounded(p, kMaxStringBytes);
        // Frees the strings HDF5 allocated for the variable-length read.
        for (char* p : ptrs) H5free_memory(p);
        return out;
    }
    const size_t size = H5Tget_size(fileType);
    Hid mem(H5Tcopy(fileType));
    std::vector<char> buf(size * static_cast<size_t>(count) + 1, 0);
    if (read(mem.get(), buf.data()) < 0) return out;
    for (hssize_t i = 0; i < count; ++i) out << fromUtf8Bounded(buf.data() + static_cast<size_t>(i) * size, size);
    return out;
}

/** Why a string of this type and element count cannot be read within the bounds, or empty. */
QString stringProblem(hid_t type, hssize_t count, hssize_t maxCount) {
    if (H5Tget_class(type) != H5T_STRING) return QStringLiteral("is not a string");
    if (count < 1) return QStringLiteral("is empty");
    if (count > maxCount) return QStringLiteral("has %1 elements (at most %2 are read)").arg(count).arg(maxCount);
    if (H5Tis_variable_str(type) <= 0 && H5Tget_size(type) > kMaxStringBytes)
        return QStringLiteral("holds strings of %1 bytes (at most %2 are read)").arg(H5Tget_size(type)).arg(kMaxStringBytes);
    return {};
}
}  // namespace

qint64 storedVlenBytes(hid_t ds, hsize_t count) {
    Hid dcpl(H5Dget_create_plist(ds));
    if (!dcpl.valid() || H5Pget_layout(dcpl) != H5D_CONTIGUOUS || count == 0 || count > (1u << 20)) return -1;
    const haddr_t offset = H5Dget_offset(ds);
    if (offset == HADDR_UNDEF) return 0;  // never written: nothing stored
    Hid file(H5Iget_file_id(ds));
    Hid fcpl(file.valid() ? H5Fget_create_plist(file) : -1);
    Hid fapl(file.valid() ? H5Fget_access_plist(file) : -1);
    size_t addrBytes = 0;
    if (!fcpl.valid() || !fapl.valid() || H5Pget_sizes(fcpl, &addrBytes, nullptr) < 0 || H5Pget_driver(fapl) != H5FD_SEC2) return -1;
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file, fapl, &handle) < 0 || !handle) return -1;
    // On disk each element is a 4-byte length, then the global heap id (collection address, 4-byte index).
    const size_t element = 4 + addrBytes + 4;
    std::vector<unsigned char> raw(element * count);
    if (::pread(*static_cast<int*>(handle), raw.data(), raw.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(raw.size())) return -1;
    qint64 total = 0;
    for (hsize_t i = 0; i < count; ++i) {
        const unsigned char* e = raw.data() + i * element;
        total += static_cast<qint64>(e[0]) | static_cast<qint64>(e[1]) << 8 | static_cast<qint64>(e[2]) << 16 | static_cast<qint64>(e[3]) << 24;
    }
    return total;
}

QString readStringDataset(hid_t parent, const char* name, bool* ok, QString* problem) {
    if (ok) *ok = false;
    const auto fail = [&](const QString& why) {
        if (problem) *problem = why;
        return QString();
    };
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) return fail(QStringLiteral("is missing"));
    Hid ds(H5Dopen2(parent, name, H5P_DEFAULT));
    if (!ds.valid()) return fail(QStringLiteral("cannot be opened as a dataset: %1").arg(takeFirstError()));
    Hid type(H5Dget_type(ds));
    Hid space(H5Dget_space(ds));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (const QString why = stringProblem(type, n, std::numeric_limits<hssize_t>::max()); !why.isEmpty()) return fail(why);
    if (H5Tis_variable_str(type) > 0) {
        if (const qint64 stored = storedVlenBytes(ds, 1); stored > static_cast<qint64>(kMaxStringBytes))
            return fail(QStringLiteral("holds a string of %1 bytes (at most %2 are read)").arg(stored).arg(kMaxStringBytes));
    }
    // The first element only, whatever the shape: a dataset of 2^40 strings reads as fast as one.
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank > 0) {
        const std::vector<hsize_t> start(static_cast<size_t>(rank), 0), count(static_cast<size_t>(rank), 1);
        if (H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
            return fail(QStringLiteral("cannot be read: %1").arg(takeErrorStack()));
    }
    Hid mem(H5Screate(H5S_SCALAR));
    const QStringList v = readStrings(type, 1, [&](hid_t memType, void* buf) { return H5Dread(ds, memType, mem, space, H5P_DEFAULT, buf); });
    if (v.isEmpty()) return fail(QStringLiteral("cannot be read: %1").arg(takeErrorStack()));
    if (ok) *ok = true;
    return v.first();
}

QStringList readStringArrayAttribute(hid_t object, const char* name) {
    if (H5Aexists(object, name) <= 0) return {};
    Hid attr(H5Aopen(object, name, H5P_DEFAULT));
    if (!attr.valid()) return {};
    Hid type(H5Aget_type(attr));
    Hid space(H5Aget_space(attr));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (!stringProblem(type, n, kMaxAttributeStrings).isEmpty()) return {};
    return readStrings(type, n, [&](hid_t mem, void* buf) { return H5Aread(attr, mem, buf); });
}

QString readStringAttribute(hid_t object, const char* name) {
    return readStringArrayAttribute(object, name).join(QLatin1Char(','));
}

}  // namespace acquila::storage::h5
