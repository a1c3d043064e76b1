#include "core/storage/DeviceSnapshot.h"

#include "core/storage/Hdf5Util.h"
#include "core/storage/RunLayout.h"

#include <QSet>

namespace acquila::storage::h5 {

namespace {
bool createNumbers(hid_t group, const char* name, hid_t type, const void* data, hsize_t n, bool scalar, const QString& unit) {
    Hid space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
    Hid ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!ds.valid() || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) return false;
    return unit.isEmpty() || writeStringAttribute(ds, "units", unit);
}

/** Overwrites an existing dataset of `n` elements; one that is absent or of another size is left as it is. */
bool rewriteNumbers(hid_t group, const char* name, hid_t type, const void* data, hsize_t n) {
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) return true;
    Hid ds(H5Dopen2(group, name, H5P_DEFAULT));
    Hid space(ds.valid() ? H5Dget_space(ds) : H5I_INVALID_HID);
    if (!space.valid()) return false;
    Hid fileType(H5Dget_type(ds));
    if (H5Sget_simple_extent_npoints(space) != static_cast<hssize_t>(n) || H5Tget_class(fileType) == H5T_STRING) return true;
    return H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
}

bool rewriteString(hid_t group, const char* name, const QString& value) {
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) return true;
    return rewriteStringDataset(group, name, value);
}

/** Dataset name of each property value: NeXus-safe, never colliding with the fixed members or each other. */
std::vector<std::pair<QString, QByteArray>> propertyNames(const model::DeviceDescription& device) {
    QSet<QString> used{QStringLiteral("name"), QStringLiteral("at_end")};
    if (!device.driver.isEmpty()) used << QStringLiteral("driver");
    if (!device.summary.isEmpty()) used << QStringLiteral("summary");
    if (!device.positions.empty()) used << QStringLiteral("value");
    std::vector<std::pair<QString, QByteArray>> out;
    for (auto it = device.values.cbegin(); it != device.values.cend(); ++it) {
        QString name = nexusName(it.key());
        if (name.isEmpty()) name = QStringLiteral("property");
        while (used.contains(name)) name += QStringLiteral("_property");
        used << name;
        out.emplace_back(it.key(), name.toUtf8());
    }
    return out;
}

/** Writes (create) or overwrites in place (!create) every member of a snapshot. */
QString putSnapshot(hid_t group, const model::DeviceDescription& device, bool create) {
    auto text = [&](const char* name, const QString& value) { return create ? writeStringDataset(group, name, value) : rewriteString(group, name, value); };
    auto numbers = [&](const char* name, hid_t type, const void* data, hsize_t n, bool scalar, const QString& unit) {
        return create ? createNumbers(group, name, type, data, n, scalar, unit) : rewriteNumbers(group, name, type, data, n);
    };
    if (!text("name", device.name)) return QStringLiteral("writing name");
    if (!device.driver.isEmpty() && !text("driver", device.driver)) return QStringLiteral("writing driver");
    if (!device.summary.isEmpty() && !text("summary", device.summary)) return QStringLiteral("writing summary");
    if (!device.positions.empty()) {
        const QString unit = device.axes.empty() ? QString() : device.axes.front().unit;
        if (!numbers("value", H5T_NATIVE_DOUBLE, device.positions.data(), device.positions.size(), device.positions.size() == 1, unit))
            return QStringLiteral("writing value");
    }
    for (const auto& [key, name] : propertyNames(device)) {
        const model::PropertyDecl* decl = device.findProperty(key);
        const QString unit = decl ? decl->unit : QString();
        const QVariant v = device.values.value(key);
        bool ok = false;
        switch (v.typeId()) {
        case QMetaType::Bool: {
            const qint8 b = v.toBool() ? 1 : 0;
            ok = numbers(name.constData(), H5T_NATIVE_INT8, &b, 1, true, unit);
            break;
        }
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong: {
            const qint64 i = v.toLongLong();
            ok = numbers(name.constData(), H5T_NATIVE_INT64, &i, 1, true, unit);
            break;
        }
        case QMetaType::Double:
        case QMetaType::Float: {
            const double x = v.toDouble();
            ok = numbers(name.constData(), H5T_NATIVE_DOUBLE, &x, 1, true, unit);
            break;
        }
        default:
            ok = text(name.constData(), v.toString());
            break;
        }
        if (!ok) return QStringLiteral("writing property '%1'").arg(key);
    }
    return {};
}
}  // namespace

const char* nexusClassFor(const model::DeviceDescription& device) {
    return device.kind == model::DeviceKind::Actuator ? "NXpositioner" : "NXdetector";
}

QString writeDeviceSnapshot(hid_t group, const model::DeviceDescription& device) { return putSnapshot(group, device, true); }

QString rewriteDeviceSnapshot(hid_t group, const model::DeviceDescription& device) { return putSnapshot(group, device, false); }

}  // namespace acquila::storage::h5
