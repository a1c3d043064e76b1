#include "ui/browser/H5Format.h"
#include "ui/browser/H5Handle.h"

#include "core/storage/Hdf5Util.h"
#include <QJsonDocument>
#include <cstring>
#include <vector>

namespace acquila::ui::browser::h5format {
namespace {
constexpr qint64 kMaxVlenBytes = 64ll << 20;  // variable-length data read for one listing

// Keeps a single huge value (a megabyte string, a long vlen) from flooding a table cell.
constexpr int kMaxCellChars = 4000;
constexpr size_t kMaxListed = 64;

QString orderName(hid_t t) { return H5Tget_order(t) == H5T_ORDER_BE ? QStringLiteral("BE") : QStringLiteral("LE"); }

QString decode(const char* data, size_t n, H5T_cset_t cset) {
    return cset == H5T_CSET_UTF8 ? QString::fromUtf8(data, qsizetype(n)) : QString::fromLatin1(data, qsizetype(n));
}

template <typename T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

QString formatInteger(hid_t t, const char* p) {
    const bool sign = H5Tget_sign(t) == H5T_SGN_2;
    switch (H5Tget_size(t)) {
    case 1: return sign ? QString::number(load<int8_t>(p)) : QString::number(load<uint8_t>(p));
    case 2: return sign ? QString::number(load<int16_t>(p)) : QString::number(load<uint16_t>(p));
    case 4: return sign ? QString::number(load<int32_t>(p)) : QString::number(load<uint32_t>(p));
    case 8: return sign ? QString::number(load<int64_t>(p)) : QString::number(load<uint64_t>(p));
    default: return QStringLiteral("<%1-byte integer>").arg(H5Tget_size(t));
    }
}

QString formatFloat(hid_t t, const char* p) {
    switch (H5Tget_size(t)) {
    case 4: return QString::number(double(load<float>(p)), 'g', 7);
    case 8: return QString::number(load<double>(p), 'g', 15);
    case sizeof(long double): return QString::number(double(load<long double>(p)), 'g', 17);
    default: return QStringLiteral("<%1-byte float>").arg(H5Tget_size(t));
    }
}

QString hexBytes(const char* p, size_t n) {
    return QString::fromLatin1(QByteArray(p, qsizetype(std::min<size_t>(n, 256))).toHex(' '));
}

QString formatReference(hid_t t, const char* p, hid_t loc) {
    char name[1024] = {0};
    if (H5Tequal(t, H5T_STD_REF_OBJ) > 0) {
        if (H5Rget_name(loc, H5R_OBJECT, p, name, sizeof name) < 0) return lastError("<invalid object reference>");
        return QStringLiteral("→ %1").arg(QString::fromUtf8(name));
    }
    if (H5Tequal(t, H5T_STD_REF_DSETREG) > 0) {
        if (H5Rget_name(loc, H5R_DATASET_REGION, p, name, sizeof name) < 0)
            return lastError("<invalid region reference>");
        return QStringLiteral("region of %1").arg(QString::fromUtf8(name));
    }
    return QStringLiteral("<reference>");
}

QString joined(const QStringList& items, bool more, const char* open, const char* close) {
    QString s = QLatin1String(open) + items.join(", ") + (more ? QStringLiteral(", …") : QString()) + QLatin1String(close);
    return s.size() > kMaxCellChars ? s.left(kMaxCellChars) + QStringLiteral("…") : s;
}

herr_t collectError(unsigned, const H5E_error2_t* e, void* data) {
    auto* out = static_cast<QStringList*>(data);
    if (e->desc) out->append(QString::fromUtf8(e->desc));
    return 0;
}

}  // namespace

QString lastError(const QString& fallback) {
    QStringList messages;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collectError, &messages);
    H5Eclear2(H5E_DEFAULT);
    for (const QString& m : messages)
        if (!m.isEmpty()) return m;
    return fallback.isEmpty() ? QStringLiteral("unknown HDF5 error") : fallback;
}

bool isNumeric(hid_t type) {
    const H5T_class_t c = H5Tget_class(type);
    return c == H5T_INTEGER || c == H5T_FLOAT;
}

bool isString(hid_t type) { return H5Tget_class(type) == H5T_STRING; }

QString describeType(hid_t t) {
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
        return QStringLiteral("%1%2 %3")
            .arg(H5Tget_sign(t) == H5T_SGN_2 ? "int" : "uint")
            .arg(H5Tget_size(t) * 8)
            .arg(orderName(t));
    case H5T_FLOAT: return QStringLiteral("float%1 %2").arg(H5Tget_size(t) * 8).arg(orderName(t));
    case H5T_STRING: {
        const QString cset = H5Tget_cset(t) == H5T_CSET_UTF8 ? QStringLiteral("UTF-8") : QStringLiteral("ASCII");
        if (H5Tis_variable_str(t) > 0) return QStringLiteral("vlen string %1").arg(cset);
        return QStringLiteral("string[%1] %2").arg(H5Tget_size(t)).arg(cset);
    }
    case H5T_BITFIELD: return QStringLiteral("bitfield%1").arg(H5Tget_size(t) * 8);
    case H5T_OPAQUE: {
        char* tag = H5Tget_tag(t);
        QString s = QStringLiteral("opaque[%1]").arg(H5Tget_size(t));
        if (tag && *tag) s += QStringLiteral(" \"%1\"").arg(QString::fromUtf8(tag));
        H5free_memory(tag);
        return s;
    }
    case H5T_COMPOUND: {
        QStringList fields;
        const int n = H5Tget_nmembers(t);
        for (int i = 0; i < n && size_t(i) < kMaxListed; ++i) {
            char* name = H5Tget_member_name(t, unsigned(i));
            H5Handle mt(H5Tget_member_type(t, unsigned(i)));
            fields << QStringLiteral("%1: %2").arg(QString::fromUtf8(name), describeType(mt));
            H5free_memory(name);
        }
        return joined(fields, size_t(n) > kMaxListed, "compound {", "}");
    }
    case H5T_ENUM: {
        H5Handle base(H5Tget_super(t));
        QStringList names;
        const int n = H5Tget_nmembers(t);
        for (int i = 0; i < n && size_t(i) < kMaxListed; ++i) {
            char* name = H5Tget_member_name(t, unsigned(i));
            names << QString::fromUtf8(name);
            H5free_memory(name);
        }
        return QStringLiteral("enum %1 ").arg(describeType(base)) + joined(names, size_t(n) > kMaxListed, "{", "}");
    }
    case H5T_ARRAY: {
        const int rank = H5Tget_array_ndims(t);
        std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
        H5Tget_array_dims2(t, dims.data());
        QStringList d;
        for (hsize_t v : dims) d << QString::number(v);
        H5Handle base(H5Tget_super(t));
        return QStringLiteral("array[%1] of %2").arg(d.join("x"), describeType(base));
    }
    case H5T_VLEN: {
        H5Handle base(H5Tget_super(t));
        return QStringLiteral("vlen sequence of %1").arg(describeType(base));
    }
    case H5T_REFERENCE:
        return H5Tequal(t, H5T_STD_REF_DSETREG) > 0 ? QStringLiteral("region reference")
                                                     : QStringLiteral("object reference");
    case H5T_TIME: return QStringLiteral("time");
    default: return QStringLiteral("unknown type");
    }
}

QString formatElement(hid_t t, const char* p, hid_t loc) {
    switch (H5Tget_class(t)) {
    case H5T_INTEGER: return formatInteger(t, p);
    case H5T_FLOAT: return formatFloat(t, p);
    case H5T_STRING: {
        const H5T_cset_t cset = H5Tget_cset(t);
        if (H5Tis_variable_str(t) > 0) {
            const char* s = load<const char*>(p);
            return s ? decode(s, std::min<size_t>(std::strlen(s), kMaxCellChars), cset) : QString();
        }
        const size_t n = H5Tget_size(t);
        return decode(p, strnlen(p, n), cset);
    }
    case H5T_ENUM: {
        char name[256];
        if (H5Tenum_nameof(t, p, name, sizeof name) >= 0) return QString::fromUtf8(name);
        H5Eclear2(H5E_DEFAULT);
        H5Handle base(H5Tget_super(t));
        return formatInteger(base, p);
    }
    case H5T_COMPOUND: {
        QStringList parts;
        const int n = H5Tget_nmembers(t);
        for (int i = 0; i < n; ++i) {
            char* name = H5Tget_member_name(t, unsigned(i));
            H5Handle mt(H5Tget_member_type(t, unsigned(i)));
            parts << QStringLiteral("%1: %2").arg(QString::fromUtf8(name),
                                                  formatElement(mt, p + H5Tget_member_offset(t, unsigned(i)), loc));
            H5free_memory(name);
        }
        return joined(parts, false, "{", "}");
    }
    case H5T_ARRAY: {
        H5Handle base(H5Tget_super(t));
        const size_t bsize = H5Tget_size(base);
        const size_t n = bsize ? H5Tget_size(t) / bsize : 0;
        QStringList parts;
        for (size_t i = 0; i < n && i < kMaxListed; ++i) parts << formatElement(base, p + i * bsize, loc);
        return joined(parts, n > kMaxListed, "[", "]");
    }
    case H5T_VLEN: {
        const auto v = load<hvl_t>(p);
        H5Handle base(H5Tget_super(t));
        const size_t bsize = H5Tget_size(base);
        QStringList parts;
        for (size_t i = 0; i < v.len && i < kMaxListed; ++i)
            parts << formatElement(base, static_cast<const char*>(v.p) + i * bsize, loc);
        return joined(parts, v.len > kMaxListed, "[", "]");
    }
    case H5T_REFERENCE: return formatReference(t, p, loc);
    case H5T_BITFIELD:
    case H5T_OPAQUE: return hexBytes(p, H5Tget_size(t));
    default: return QStringLiteral("<unsupported type>");
    }
}

QString describeSpace(hid_t space) {
    switch (H5Sget_simple_extent_type(space)) {
    case H5S_SCALAR: return QStringLiteral("scalar");
    case H5S_NULL: return QStringLiteral("null");
    default: break;
    }
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    QStringList d;
    for (hsize_t v : dims) d << QString::number(v);
    return d.join(QStringLiteral(" × "));
}

FormattedValues readFormatted(hid_t object, bool isAttribute, qint64 limit, bool splitCompound) {
    FormattedValues out;
    H5Handle fileType(isAttribute ? H5Aget_type(object) : H5Dget_type(object));
    H5Handle space(isAttribute ? H5Aget_space(object) : H5Dget_space(object));
    if (!fileType.valid() || !space.valid()) {
        out.error = lastError("cannot read the datatype or dataspace");
        return out;
    }
    if (H5Sget_simple_extent_type(space) == H5S_NULL) return out;
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    hsize_t total = 1;
    for (hsize_t d : dims) {
        out.shape << qint64(d);
        total *= d;
    }
    if (total == 0) return out;
    H5Handle memType(H5Tget_native_type(fileType, H5T_DIR_DEFAULT));
    if (!memType.valid()) {
        out.error = lastError("no native memory type for " + describeType(fileType));
        return out;
    }
    H5Handle memSpace;
    hsize_t count = total;
    if (!isAttribute && qint64(total) > limit) {
        // Read whole leading rows so a table stays rectangular.
        hsize_t rowSize = 1;
        for (size_t i = 1; i < dims.size(); ++i) rowSize *= dims[i];
        const hsize_t rows = std::max<hsize_t>(1, hsize_t(limit) / std::max<hsize_t>(rowSize, 1));
        if (rows * rowSize > hsize_t(limit) * 4) {
            out.error = QStringLiteral("too many values to list (%1)").arg(total);
            return out;
        }
        std::vector<hsize_t> start(dims.size(), 0), cnt = dims;
        cnt[0] = std::min(rows, dims[0]);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, cnt.data(), nullptr);
        count = cnt[0] * rowSize;
        memSpace.reset(H5Screate_simple(1, &count, nullptr));
        out.truncated = true;
    } else {
        memSpace.reset(H5Scopy(space));
        H5Sselect_all(memSpace);
    }
    // Variable-length strings and sequences: libhdf5 allocates each element's stored length
    // before reading it, and a damaged file may claim gigabytes. Contiguous datasets are checked first.
    if (!isAttribute && (H5Tget_class(fileType) == H5T_VLEN || H5Tis_variable_str(fileType) > 0)) {
        if (const qint64 stored = storage::h5::storedVlenBytes(object, count); stored > kMaxVlenBytes) {
            out.error = QStringLiteral("its %1 values claim %2 bytes of variable-length data (more than %3 MiB: a damaged file?); not read")
                            .arg(count).arg(stored).arg(kMaxVlenBytes >> 20);
            return out;
        }
    }
    const size_t esize = H5Tget_size(memType);
    std::vector<char> buffer(size_t(count) * esize);
    const herr_t status = isAttribute ? H5Aread(object, memType, buffer.data())
                                      : H5Dread(object, memType, memSpace, space, H5P_DEFAULT, buffer.data());
    if (status < 0) {
        out.error = lastError("read failed");
        return out;
    }
    const hid_t loc = object;
    const bool split = splitCompound && H5Tget_class(memType) == H5T_COMPOUND;
    std::vector<H5Handle> memberTypes;
    std::vector<size_t> offsets;
    if (split) {
        for (unsigned m = 0; m < unsigned(std::max(H5Tget_nmembers(memType), 0)); ++m) {
            char* name = H5Tget_member_name(memType, m);
            out.fields << QString::fromUtf8(name);
            H5free_memory(name);
            memberTypes.emplace_back(H5Tget_member_type(memType, m));
            offsets.push_back(H5Tget_member_offset(memType, m));
        }
    }
    out.values.reserve(qsizetype(count * (split ? memberTypes.size() : 1)));
    for (hsize_t i = 0; i < count; ++i) {
        const char* p = buffer.data() + i * esize;
        if (!split) {
            out.values << formatElement(memType, p, loc);
            continue;
        }
        for (size_t m = 0; m < memberTypes.size(); ++m) out.values << formatElement(memberTypes[m], p + offsets[m], loc);
    }
    if (H5Tdetect_class(memType, H5T_VLEN) > 0 || (isString(memType) && H5Tis_variable_str(memType) > 0))
        H5Dvlen_reclaim(memType, memSpace, H5P_DEFAULT, buffer.data());
    return out;
}

QString prettyJson(const QString& text) {
    const QString t = text.trimmed();
    if (!(t.startsWith('{') || t.startsWith('['))) return text;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError) return text;
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

QString formatBytes(qint64 bytes) {
    if (bytes < 0) return QString();
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    return u == 0 ? QStringLiteral("%1 B").arg(bytes) : QStringLiteral("%1 %2").arg(v, 0, 'f', 1).arg(units[u]);
}

}  // namespace acquila::ui::browser::h5format
