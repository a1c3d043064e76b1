#include "ui/window/PlanFormJson.h"

#include <QRegularExpression>

namespace acquila::ui::window {

QJsonValue fieldValue(const QString& text) {
    const QString t = text.trimmed();
    if (t.isEmpty()) return QJsonValue(QJsonValue::Undefined);
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (ok) return v;
    return t;
}

QString errorPointer(const QString& message) {
    static const QRegularExpression re(QStringLiteral(R"((?:^|: )(/[^:\s]*))"));
    const auto m = re.match(message);
    return m.hasMatch() ? m.captured(1) : QString();
}

}  // namespace acquila::ui::window
