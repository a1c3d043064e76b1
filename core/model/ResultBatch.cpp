#include "core/model/ResultBatch.h"

namespace acquila::model {

qint64 Channel::elementsPerPoint() const {
    qint64 n = 1;
    for (int64_t d : pointShape) n *= d;
    return n;
}

const Channel* ResultBatch::find(const QString& name) const {
    for (const auto& c : channels)
        if (c.name == name) return &c;
    return nullptr;
}

QString ResultBatch::checkSizes() const {
    for (const Channel& c : channels) {
        // In doubles: a hostile shape times a hostile count must not overflow.
        const double expected = static_cast<double>(c.bytesPerPoint()) * static_cast<double>(count);
        if (expected != static_cast<double>(c.data.size()))
            return QStringLiteral("result channel '%1': %2 bytes for %3 points of %4 bytes")
                .arg(c.name).arg(c.data.size()).arg(count).arg(c.bytesPerPoint());
    }
    return {};
}

}  // namespace acquila::model
