#include "ui/window/DevicesDock.h"

#include "ui/plots/ChannelValues.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <cmath>

namespace acquila::ui::window {

namespace {
double finiteOr(double v, double fallback) { return std::isfinite(v) ? v : fallback; }
QString shapeText(const model::OutputDecl& o) {
    QStringList dims;
    for (auto n : o.shape) dims << QString::number(n);
    const QString shape = dims.isEmpty() ? QStringLiteral("scalar") : dims.join(QStringLiteral(" × "));
    return QStringLiteral("%1, %2%3").arg(shape, QLatin1String(model::dtypeName(o.dtype)),
                                          o.unit.isEmpty() ? QString() : QStringLiteral(", ") + o.unit);
}

/** The value an editor made by makeEditor() holds, typed as its property. */
QVariant editorValue(QWidget* w) {
    if (auto* s = qobject_cast<QDoubleSpinBox*>(w)) return s->value();
    if (auto* i = qobject_cast<QSpinBox*>(w)) return static_cast<qlonglong>(i->value());
    if (auto* c = qobject_cast<QComboBox*>(w)) return c->currentText();
    if (auto* b = qobject_cast<QCheckBox*>(w)) return b->isChecked();
    if (auto* e = qobject_cast<QLineEdit*>(w)) return e->text();
    return {};
}
}  // namespace

DevicesDock::DevicesDock(QWidget* parent) : QDockWidget(tr("Devices"), parent) {
    setObjectName(QStringLiteral("devicesDock"));
    tree_ = new QTreeWidget(this);
    tree_->setColumnCount(2);
    tree_->setHeaderLabels({tr("Device / property"), tr("Value")});
    tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(true);
    tree_->setUniformRowHeights(false);
    auto* placeholder = new QTreeWidgetItem(tree_, {tr("Waiting for the workers to describe the devices…")});
    placeholder->setFirstColumnSpanned(true);
    result_ = new QLabel(this);
    result_->setObjectName(QStringLiteral("setNowResult"));
    result_->setWordWrap(true);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    result_->setToolTip(tr("The outcome of the last move or \"Set now\""));
    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tree_, 1);
    layout->addWidget(result_);
    setWidget(content);
}

void DevicesDock::setDevices(const std::vector<model::DeviceDescription>& devices) {
    QString sig;
    for (const auto& d : devices) {
        sig += d.name + QLatin1Char(':') + d.unavailable + QLatin1Char(':');
        for (const auto& p : d.properties) sig += p.id + QLatin1Char(',');
        for (const auto& a : d.axes) sig += a.name + QLatin1Char(',');
        sig += QLatin1Char(';');
    }
    if (sig != signature_) {
        signature_ = sig;
        rebuild(devices);
    }
    updating_ = true;
    for (const auto& d : devices) {
        for (size_t i = 0; i < d.axes.size() && i < d.positions.size(); ++i) setPosition(d.axes[i].name, d.positions[i]);
        for (auto it = d.values.cbegin(); it != d.values.cend(); ++it) setEditorValue(editors_.value(d.name + QLatin1Char('/') + it.key()), it.value());
    }
    updating_ = false;
}

void DevicesDock::setEditorValue(QWidget* w, const QVariant& value) {
    const bool was = updating_;
    updating_ = true;
    if (auto* s = qobject_cast<QDoubleSpinBox*>(w)) s->setValue(value.toDouble());
    else if (auto* i = qobject_cast<QSpinBox*>(w)) i->setValue(value.toInt());
    else if (auto* c = qobject_cast<QComboBox*>(w)) c->setCurrentText(value.toString());
    else if (auto* b = qobject_cast<QCheckBox*>(w)) b->setChecked(value.toBool());
    else if (auto* e = qobject_cast<QLineEdit*>(w)) e->setText(value.toString());
    updating_ = was;
}

void DevicesDock::rebuild(const std::vector<model::DeviceDescription>& devices) {
    tree_->clear();
    positions_.clear();
    targets_.clear();
    moves_.clear();
    editors_.clear();
    setButtons_.clear();
    units_.clear();
    const std::pair<model::DeviceKind, QString> groups[] = {{model::DeviceKind::Actuator, tr("Actuators")},
                                                          {model::DeviceKind::Detector, tr("Detectors")},
                                                          {model::DeviceKind::Compute, tr("Compute")}};
    for (const auto& [kind, title] : groups) {
        QTreeWidgetItem* group = nullptr;
        for (const auto& d : devices) {
            if (d.kind != kind || !d.unavailable.isEmpty()) continue;
            if (!group) {
                group = new QTreeWidgetItem(tree_, {title});
                QFont f = group->font(0);
                f.setBold(true);
                group->setFont(0, f);
                group->setExpanded(true);
            }
            auto* dev = new QTreeWidgetItem(group, {d.name, d.summary.isEmpty() ? d.driver : d.summary});
            dev->setToolTip(1, QStringLiteral("%1 (%2)").arg(d.driver, d.concurrency == model::Concurrency::Exclusive
                                                                            ? tr("exclusive") : tr("replicable")));
            dev->setExpanded(kind == model::DeviceKind::Actuator);
            for (const auto& a : d.axes) {
                auto* item = new QTreeWidgetItem(dev, {a.name});
                auto* row = new QWidget;
                auto* l = new QHBoxLayout(row);
                l->setContentsMargins(0, 0, 0, 0);
                auto* pos = new QLabel(QStringLiteral("—"), row);
                pos->setMinimumWidth(80);
                auto* target = new QDoubleSpinBox(row);
                target->setDecimals(3);
                target->setRange(finiteOr(a.min, -1e9), finiteOr(a.max, 1e9));
                target->setSuffix(a.unit.isEmpty() ? QString() : QLatin1Char(' ') + a.unit);
                target->setToolTip(tr("Target position (limits %1 … %2)").arg(a.min).arg(a.max));
                auto* move = new QPushButton(tr("Move"), row);
                move->setToolTip(tr("Move %1 to the target (only when no run is active)").arg(a.name));
                const QString axis = a.name;
                connect(move, &QPushButton::clicked, this, [this, axis, target] { emit moveRequested(axis, target->value()); });
                l->addWidget(pos);
                l->addWidget(target, 1);
                l->addWidget(move);
                tree_->setItemWidget(item, 1, row);
                positions_.insert(a.name, pos);
                units_.insert(a.name, a.unit);
                targets_.insert(a.name, target);
                moves_.insert(a.name, move);
            }
            for (const auto& p : d.properties) {
                auto* item = new QTreeWidgetItem(dev, {p.label.isEmpty() ? p.id : p.label});
                item->setToolTip(0, p.id);
                QWidget* editor = makeEditor(d, p);
                const QString key = d.name + QLatin1Char('/') + p.id;
                editors_.insert(key, editor);
                if (p.readOnly) {
                    tree_->setItemWidget(item, 1, editor);
                    continue;
                }
                auto* row = new QWidget;
                auto* l = new QHBoxLayout(row);
                l->setContentsMargins(0, 0, 0, 0);
                auto* set = new QToolButton(row);
                set->setText(tr("Set now"));
                set->setToolTip(tr("Apply this value to %1.%2 now, in every worker that has the device (only when no run is active)")
                                    .arg(d.name, p.id));
                const QString target = d.name + QLatin1Char('.') + p.id;
                connect(set, &QToolButton::clicked, this, [this, target, editor] { emit setNowRequested(target, editorValue(editor)); });
                l->addWidget(editor, 1);
                l->addWidget(set);
                tree_->setItemWidget(item, 1, row);
                setButtons_.insert(key, set);
            }
            for (const auto& o : d.outputs) {
                auto* item = new QTreeWidgetItem(dev, {tr("output %1").arg(o.name), shapeText(o)});
                item->setForeground(1, QColor(90, 90, 90));
            }
        }
    }
    addUnavailable(devices);
}

void DevicesDock::addUnavailable(const std::vector<model::DeviceDescription>& devices) {
    QTreeWidgetItem* group = nullptr;
    for (const auto& d : devices) {
        if (d.unavailable.isEmpty()) continue;
        if (!group) {
            group = new QTreeWidgetItem(tree_, {tr("Unavailable")});
            QFont f = group->font(0);
            f.setBold(true);
            group->setFont(0, f);
            group->setForeground(0, QColor(170, 40, 40));
            group->setExpanded(true);
        }
        auto* dev = new QTreeWidgetItem(group, {d.name, d.driver});
        dev->setForeground(0, QColor(120, 120, 120));
        dev->setToolTip(0, d.unavailable);
        dev->setToolTip(1, d.unavailable);
        // The reason, wrapped, under the device: it names the plugin file or the instrument's address.
        auto* why = new QTreeWidgetItem(dev);
        auto* label = new QLabel(d.unavailable);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setStyleSheet(QStringLiteral("color: #aa2828"));
        tree_->setItemWidget(why, 0, label);
        why->setFirstColumnSpanned(true);
        dev->setExpanded(true);
    }
}

QWidget* DevicesDock::makeEditor(const model::DeviceDescription& d, const model::PropertyDecl& p) {
    const QVariant value = d.values.value(p.id, p.defaultValue);
    const QString device = d.name, id = p.id;
    const QString suffix = p.unit.isEmpty() ? QString() : QLatin1Char(' ') + p.unit;
    auto emitEdit = [this, device, id](const QVariant& v) {
        if (!updating_) emit propertyEdited(device, id, v);
    };
    QWidget* w = nullptr;
    switch (p.type) {
        case model::PropertyType::Double: {
            auto* s = new QDoubleSpinBox;
            s->setDecimals(4);
            s->setRange(finiteOr(p.min, -1e12), finiteOr(p.max, 1e12));
            s->setSuffix(suffix);
            s->setValue(value.toDouble());
            connect(s, &QDoubleSpinBox::valueChanged, this, [emitEdit](double v) { emitEdit(v); });
            w = s;
            break;
        }
        case model::PropertyType::Int: {
            auto* s = new QSpinBox;
            s->setRange(static_cast<int>(finiteOr(p.min, -2e9)), static_cast<int>(finiteOr(p.max, 2e9)));
            s->setSuffix(suffix);
            s->setValue(value.toInt());
            connect(s, &QSpinBox::valueChanged, this, [emitEdit](int v) { emitEdit(v); });
            w = s;
            break;
        }
        case model::PropertyType::Enum: {
            auto* c = new QComboBox;
            c->addItems(p.allowed);
            c->setCurrentText(value.toString());
            connect(c, &QComboBox::currentTextChanged, this, [emitEdit](const QString& v) { emitEdit(v); });
            w = c;
            break;
        }
        case model::PropertyType::Bool: {
            auto* b = new QCheckBox;
            b->setChecked(value.toBool());
            connect(b, &QCheckBox::toggled, this, [emitEdit](bool v) { emitEdit(v); });
            w = b;
            break;
        }
        case model::PropertyType::String: {
            auto* e = new QLineEdit(value.toString());
            connect(e, &QLineEdit::editingFinished, this, [emitEdit, e] { emitEdit(e->text()); });
            w = e;
            break;
        }
    }
    w->setEnabled(!p.readOnly);
    w->setToolTip(p.readOnly ? tr("%1 (read-only%2)").arg(p.id, p.monitored ? tr(", live while no run is active") : QString())
                             : tr("%1: changes apply to the next run (plan properties); \"Set now\" applies the value at once").arg(p.id));
    return w;
}

void DevicesDock::setPosition(const QString& axis, double value) {
    if (QLabel* l = positions_.value(axis)) {
        const QString unit = units_.value(axis);
        l->setText(QStringLiteral("%1%2").arg(value, 0, 'f', 3).arg(unit.isEmpty() ? QString() : QLatin1Char(' ') + unit));
    }
}

void DevicesDock::updatePositions(const model::ResultBatch& batch) {
    if (batch.count <= 0) return;
    for (const model::Channel& c : batch.channels)
        if (positions_.contains(c.name) && c.pointShape.empty()) setPosition(c.name, plots::channelValue(c, batch.count - 1));
}

void DevicesDock::setMovesEnabled(bool enabled) {
    for (QPushButton* b : std::as_const(moves_)) b->setEnabled(enabled);
    for (QToolButton* b : std::as_const(setButtons_)) b->setEnabled(enabled);
}

void DevicesDock::showPending(const QString& text) {
    result_->setStyleSheet(QString());
    result_->setText(text);
}

void DevicesDock::showResult(const engine::SetNowResult& result) {
    if (result.ok()) {
        result_->setStyleSheet(QString());
        result_->setText(tr("%1 = %2").arg(result.target, result.text));
    } else {
        result_->setStyleSheet(QStringLiteral("color: #b00020;"));
        result_->setText(result.error);
    }
}

void DevicesDock::updateMonitors(const engine::MonitorValues& values) {
    for (auto it = values.positions.cbegin(); it != values.positions.cend(); ++it) setPosition(it.key(), it.value());
    for (auto d = values.properties.cbegin(); d != values.properties.cend(); ++d) {
        for (auto p = d.value().cbegin(); p != d.value().cend(); ++p) {
            QWidget* editor = editors_.value(d.key() + QLatin1Char('/') + p.key());
            if (editor && !editor->hasFocus()) setEditorValue(editor, p.value());  // never under the user's cursor
        }
    }
}

QString DevicesDock::resultText() const { return result_->text(); }

QString DevicesDock::positionText(const QString& axis) const {
    QLabel* l = positions_.value(axis);
    return l ? l->text() : QString();
}

}  // namespace acquila::ui::window
