#include "core/storage/DeviceSnapshot.h"

#include "core/storage/Hdf5Util.h"
#include "core/storage/RunLayout.h"

namespace acquila::storage::h5 {

namespace {
bool writeNumbers(hid_t group, const char* name, hid_t type, const void* data, hsize_t n, bool scalar, const QString& unit) {
    Hid space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
    Hid ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!ds.valid() || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) return false;
    return unit.isEmpty() || writeStringAttribute(ds, "units", unit);
}

QString freeName(hid_t group, const QString& wanted) {
    QString name = nexusName(wanted);
    if (name.isEmpty()) name = QStringLiteral("property");
    while (H5Lexists(group, name.toUtf8().constData(), H5P_DEFAULT) > 0) name += QStringLiteral("_property");
    return name;
}
}  // namespace

const char* nexusClassFor(const model::DeviceDescription& device) {
    return device.kind == model::DeviceKind::Actuator ? "NXpositioner" : "NXdetector";
}

QString writeDeviceSnapshot(hid_t group, const model::DeviceDescription& device) {
    if (!writeStringDataset(group, "name", device.name)) return QStringLiteral("writing name");
    if (!device.driver.isEmpty() && !writeStringDataset(group, "driver", device.driver)) return QStringLiteral("writing driver");
    if (!device.summary.isEmpty() && !writeStringDataset(group, "summary", device.summary)) return QStringLiteral("writing summary");
    if (!device.positions.empty()) {
        const QString unit = device.axes.empty() ? QString() : device.axes.front().unit;
        if (!writeNumbers(group, "value", H5T_NATIVE_DOUBLE, device.positions.data(), device.positions.size(), device.positions.size() == 1, unit))
            return QStringLiteral("writing value");
    }
    for (auto it = device.values.cbegin(); it != device.values.cend(); ++it) {
        const model::PropertyDecl* decl = device.findProperty(it.key());
        const QString unit = decl ? decl->unit : QString();
        const QByteArray name = freeName(group, it.key()).toUtf8();
        const QVariant& v = it.value();
        bool ok = false;
        switch (v.typeId()) {
        case QMetaType::Bool: {
            const qint8 b = v.toBool() ? 1 : 0;
            ok = writeNumbers(group, name.constData(), H5T_NATIVE_INT8, &b, 1, true, unit);
            break;
        }
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong: {
            const qint64 i = v.toLongLong();
            ok = writeNumbers(group, name.constData(), H5T_NATIVE_INT64, &i, 1, true, unit);
            break;
        }
        case QMetaType::Double:
        case QMetaType::Float: {
            const double x = v.toDouble();
            ok = writeNumbers(group, name.constData(), H5T_NATIVE_DOUBLE, &x, 1, true, unit);
            break;
        }
        default:
            ok = writeStringDataset(group, name.constData(), v.toString());
            break;
        }
        if (!ok) return QStringLiteral("writing property '%1'").arg(it.key());
    }
    return {};
}

}  // namespace acquila::storage::h5
