#include "ui/window/PlanEditor.h"

#include "ui/window/PlanFormJson.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>
#include <optional>

namespace acquila::ui::window {

namespace {
enum Column { ColAxis, ColStart, ColStop, ColSteps, ColCenter, ColRelative, ColCount };
const QStringList kFields = {QStringLiteral("device"), QStringLiteral("start"), QStringLiteral("stop"),
                             QStringLiteral("steps"), QStringLiteral("center"), QStringLiteral("relative")};
const QString kRecentKey = QStringLiteral("planEditor/recentPlans");
const QString kLastKey = QStringLiteral("planEditor/lastPlan");
QString num(double v) { return QString::number(v, 'g', 12); }
}  // namespace

PlanEditor::PlanEditor(QWidget* parent) : QWidget(parent) {
    validateTimer_ = new QTimer(this);
    validateTimer_->setSingleShot(true);
    validateTimer_->setInterval(0);
    connect(validateTimer_, &QTimer::timeout, this, &PlanEditor::validateNow);
    buildForm();
    const QByteArray last = QSettings().value(kLastKey).toByteArray();
    auto p = plan::parsePlan(last, QStringLiteral("last plan"));
    if (!last.isEmpty() && p) {
        setPlan(*p);
    } else if (auto def = plan::parsePlan(R"({"version":1,"name":"linear-motor","title":"Diode along the motor",
        "scan":{"type":"linear"},"axes":[{"device":"motor","start":-50,"stop":50,"steps":101}],"detectors":["diode"]})",
                                          QStringLiteral("default plan"))) {
        setPlan(*def);
    }
}

void PlanEditor::buildForm() {
    auto* outer = new QVBoxLayout(this);
    auto* files = new QHBoxLayout;
    auto* load = new QPushButton(tr("Load…"), this);
    auto* save = new QPushButton(tr("Save…"), this);
    auto* recent = new QToolButton(this);
    recent->setText(tr("Recent"));
    recent->setPopupMode(QToolButton::InstantPopup);
    recentMenu_ = new QMenu(recent);
    recent->setMenu(recentMenu_);
    connect(load, &QPushButton::clicked, this, &PlanEditor::loadInteractive);
    connect(save, &QPushButton::clicked, this, &PlanEditor::saveInteractive);
    files->addWidget(load);
    files->addWidget(save);
    files->addWidget(recent);
    files->addStretch();
    outer->addLayout(files);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    name_ = new QLineEdit(this);
    title_ = new QLineEdit(this);
    type_ = new QComboBox(this);
    for (int t = 0; t < 5; ++t) type_->addItem(QLatin1String(plan::scanTypeName(static_cast<plan::ScanType>(t))));
    snake_ = new QCheckBox(tr("snake (reverse every other line)"), this);
    countPoints_ = new QLineEdit(this);
    interval_ = new QLineEdit(this);
    radius_ = new QLineEdit(this);
    step_ = new QLineEdit(this);
    form->addRow(tr("Name"), name_);
    form->addRow(tr("Title"), title_);
    form->addRow(tr("Scan type"), type_);
    form->addRow(QString(), snake_);
    form->addRow(tr("Points"), countPoints_);
    form->addRow(tr("Interval (s)"), interval_);
    form->addRow(tr("Radius"), radius_);
    form->addRow(tr("Step"), step_);
    typeRows_[int(plan::ScanType::Grid)] = {snake_};
    typeRows_[int(plan::ScanType::Count)] = {countPoints_, interval_};
    typeRows_[int(plan::ScanType::Spiral)] = {radius_, step_};

    axes_ = new QTableWidget(0, ColCount, this);
    axes_->setHorizontalHeaderLabels({tr("Axis"), tr("Start"), tr("Stop"), tr("Steps"), tr("Center"), tr("Rel.")});
    axes_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    axes_->horizontalHeader()->setSectionResizeMode(ColAxis, QHeaderView::ResizeToContents);
    axes_->verticalHeader()->setVisible(false);
    axes_->setMinimumHeight(90);
    axes_->setMaximumHeight(120);
    auto* axisButtons = new QHBoxLayout;
    auto* addAxis = new QPushButton(tr("Add axis"), this);
    auto* removeAxis = new QPushButton(tr("Remove axis"), this);
    axisButtons->addWidget(addAxis);
    axisButtons->addWidget(removeAxis);
    axisButtons->addStretch();
    connect(addAxis, &QPushButton::clicked, this, [this] {
        plan::AxisSpec a;
        a.device = axisNames_.value(0);
        a.steps = 11;
        addAxisRow(a);
        scheduleValidation();
    });
    connect(removeAxis, &QPushButton::clicked, this, [this] {
        if (axes_->rowCount() > 0) axes_->removeRow(axes_->currentRow() >= 0 ? axes_->currentRow() : axes_->rowCount() - 1);
        scheduleValidation();
    });
    form->addRow(tr("Axes"), axes_);
    form->addRow(QString(), axisButtons);

    detectors_ = new QListWidget(this);
    detectors_->setMaximumHeight(110);
    form->addRow(tr("Detectors"), detectors_);
    settle_ = new QLineEdit(this);
    exposure_ = new QLineEdit(this);
    repeats_ = new QLineEdit(this);
    form->addRow(tr("Settle (s)"), settle_);
    form->addRow(tr("Exposure (s)"), exposure_);
    form->addRow(tr("Repeats"), repeats_);
    metadata_ = new QPlainTextEdit(this);
    properties_ = new QPlainTextEdit(this);
    for (auto* e : {metadata_, properties_}) {
        e->setMaximumHeight(56);
        e->setTabChangesFocus(true);
    }
    metadata_->setToolTip(tr("Free-form JSON object stored with the run, e.g. {\"sample\": \"A7\"}"));
    properties_->setToolTip(tr("Device properties set for the run and restored afterwards: {\"device\": {\"property\": value}}"));
    form->addRow(tr("Metadata"), metadata_);
    form->addRow(tr("Properties"), properties_);
    outer->addLayout(form);

    errorLabel_ = new QLabel(this);
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(QStringLiteral("color: #b00020;"));
    outer->addWidget(errorLabel_);
    outer->addStretch();

    for (QLineEdit* e : {name_, title_, countPoints_, interval_, radius_, step_, settle_, exposure_, repeats_})
        connect(e, &QLineEdit::textChanged, this, &PlanEditor::scheduleValidation);
    for (QPlainTextEdit* e : {metadata_, properties_})
        connect(e, &QPlainTextEdit::textChanged, this, &PlanEditor::scheduleValidation);
    connect(snake_, &QCheckBox::toggled, this, &PlanEditor::scheduleValidation);
    connect(type_, &QComboBox::currentIndexChanged, this, [this] {
        updateTypeFields();
        scheduleValidation();
    });
    connect(axes_, &QTableWidget::itemChanged, this, &PlanEditor::scheduleValidation);
    connect(detectors_, &QListWidget::itemChanged, this, &PlanEditor::scheduleValidation);
    rebuildRecentMenu();
}

void PlanEditor::setDevices(const std::vector<model::DeviceDescription>& devices) {
    devices_ = devices;
    axisNames_.clear();
    QStringList outputs;
    for (const auto& d : devices) {
        for (const auto& a : d.axes) axisNames_ << a.name;
        for (const auto& o : d.outputs) outputs << o.name;
    }
    const util::Result<plan::Plan> current = plan();
    QStringList checked;
    for (int i = 0; i < detectors_->count(); ++i)
        if (detectors_->item(i)->checkState() == Qt::Checked) checked << detectors_->item(i)->text();
    loading_ = true;
    for (const QString& c : checked)
        if (!outputs.contains(c)) outputs << c;  // keep unknown choices visible so the validator can name them
    detectors_->clear();
    for (const QString& o : outputs) {
        auto* item = new QListWidgetItem(o, detectors_);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(o) ? Qt::Checked : Qt::Unchecked);
    }
    for (int r = 0; r < axes_->rowCount(); ++r)
        if (auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(r, ColAxis))) {
            const QString text = combo->currentText();
            combo->clear();
            combo->addItems(axisNames_);
            combo->setCurrentText(text);
        }
    loading_ = false;
    scheduleValidation();
}

void PlanEditor::addAxisRow(const plan::AxisSpec& a) {
    const int r = axes_->rowCount();
    axes_->insertRow(r);
    auto* combo = new QComboBox(axes_);
    combo->setEditable(true);
    combo->addItems(axisNames_);
    combo->setCurrentText(a.device);
    connect(combo, &QComboBox::currentTextChanged, this, &PlanEditor::scheduleValidation);
    axes_->setCellWidget(r, ColAxis, combo);
    axes_->setItem(r, ColStart, new QTableWidgetItem(num(a.start)));
    axes_->setItem(r, ColStop, new QTableWidgetItem(num(a.stop)));
    axes_->setItem(r, ColSteps, new QTableWidgetItem(QString::number(a.steps)));
    axes_->setItem(r, ColCenter, new QTableWidgetItem(num(a.center)));
    auto* rel = new QTableWidgetItem;
    rel->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    rel->setCheckState(a.relative ? Qt::Checked : Qt::Unchecked);
    axes_->setItem(r, ColRelative, rel);
}

void PlanEditor::setPlan(const plan::Plan& p) {
    loading_ = true;
    base_ = p.toJson();
    listPoints_ = p.type == plan::ScanType::List ? base_.value(QLatin1String("scan")).toObject().value(QLatin1String("points")).toArray()
                                                 : QJsonArray();
    name_->setText(p.name);
    title_->setText(p.title);
    type_->setCurrentIndex(static_cast<int>(p.type));
    snake_->setChecked(p.snake);
    countPoints_->setText(QString::number(p.count));
    interval_->setText(num(p.intervalS));
    radius_->setText(num(p.spiralRadius));
    step_->setText(num(p.spiralStep));
    axes_->setRowCount(0);
    for (const auto& a : p.axes) addAxisRow(a);
    for (const QString& d : p.detectors)
        if (detectors_->findItems(d, Qt::MatchExactly).isEmpty()) {
            auto* item = new QListWidgetItem(d, detectors_);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        }
    for (int i = 0; i < detectors_->count(); ++i)
        detectors_->item(i)->setCheckState(p.detectors.contains(detectors_->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    settle_->setText(num(p.settleS));
    exposure_->setText(num(p.exposureS));
    repeats_->setText(QString::number(p.repeats));
    const auto compact = [](const QJsonObject& o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); };
    metadata_->setPlainText(compact(base_.value(QLatin1String("metadata")).toObject()));
    properties_->setPlainText(compact(base_.value(QLatin1String("properties")).toObject()));
    updateTypeFields();
    loading_ = false;
    validateNow();
}

void PlanEditor::updateTypeFields() {
    const auto type = static_cast<plan::ScanType>(type_->currentIndex());
    auto* form = qobject_cast<QFormLayout*>(static_cast<QVBoxLayout*>(layout())->itemAt(1)->layout());
    for (int t = 0; t < 5; ++t)
        for (QWidget* w : typeRows_[t]) form->setRowVisible(w, t == static_cast<int>(type));
    const bool ranged = type == plan::ScanType::Linear || type == plan::ScanType::Grid;
    for (int c : {ColStart, ColStop, ColSteps}) axes_->setColumnHidden(c, !ranged);
    axes_->setColumnHidden(ColCenter, type != plan::ScanType::Spiral);
    form->setRowVisible(axes_, type != plan::ScanType::Count);
}

QJsonObject PlanEditor::formJson(QString* jsonError) const {
    QJsonObject o = base_;
    const auto type = static_cast<plan::ScanType>(type_->currentIndex());
    o.insert(QLatin1String("version"), plan::kPlanSchemaVersion);
    o.insert(QLatin1String("name"), name_->text().trimmed());
    o.insert(QLatin1String("title"), title_->text());
    QJsonObject scan;
    scan.insert(QLatin1String("type"), QLatin1String(plan::scanTypeName(type)));
    if (type == plan::ScanType::Grid) scan.insert(QLatin1String("snake"), snake_->isChecked());
    if (type == plan::ScanType::Count) {
        scan.insert(QLatin1String("points"), fieldValue(countPoints_->text()));
        scan.insert(QLatin1String("interval_s"), fieldValue(interval_->text()));
    }
    if (type == plan::ScanType::Spiral) {
        scan.insert(QLatin1String("radius"), fieldValue(radius_->text()));
        scan.insert(QLatin1String("step"), fieldValue(step_->text()));
    }
    if (type == plan::ScanType::List) scan.insert(QLatin1String("points"), listPoints_);
    o.insert(QLatin1String("scan"), scan);
    o.remove(QLatin1String("axes"));
    if (type != plan::ScanType::Count) {
        QJsonArray axes;
        for (int r = 0; r < axes_->rowCount(); ++r) {
            QJsonObject a;
            auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(r, ColAxis));
            a.insert(QLatin1String("device"), combo ? combo->currentText().trimmed() : QString());
            auto text = [&](int c) { return axes_->item(r, c) ? axes_->item(r, c)->text() : QString(); };
            if (type == plan::ScanType::Linear || type == plan::ScanType::Grid)
                for (int c : {ColStart, ColStop, ColSteps}) a.insert(kFields[c], fieldValue(text(c)));
            if (type == plan::ScanType::Spiral) a.insert(kFields[ColCenter], fieldValue(text(ColCenter)));
            a.insert(QLatin1String("relative"), axes_->item(r, ColRelative)->checkState() == Qt::Checked);
            axes.append(a);
        }
        o.insert(QLatin1String("axes"), axes);
    }
    QJsonArray dets;
    for (int i = 0; i < detectors_->count(); ++i)
        if (detectors_->item(i)->checkState() == Qt::Checked) dets.append(detectors_->item(i)->text());
    o.insert(QLatin1String("detectors"), dets);
    o.insert(QLatin1String("settle_s"), fieldValue(settle_->text()));
    o.insert(QLatin1String("exposure_s"), fieldValue(exposure_->text()));
    o.insert(QLatin1String("repeats"), fieldValue(repeats_->text()));
    const std::pair<QPlainTextEdit*, const char*> objects[] = {{metadata_, "metadata"}, {properties_, "properties"}};
    for (const auto& [edit, key] : objects) {
        const QString t = edit->toPlainText().trimmed();
        if (t.isEmpty()) {
            o.remove(QLatin1String(key));
            continue;
        }
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8(), &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
            if (jsonError && jsonError->isEmpty())
                *jsonError = QStringLiteral("plan: /%1: expected a JSON object like {\"key\": \"value\"}%2")
                                 .arg(QLatin1String(key), pe.error != QJsonParseError::NoError
                                                              ? QStringLiteral(" (%1 at character %2)").arg(pe.errorString()).arg(pe.offset)
                                                              : QString());
            continue;
        }
        o.insert(QLatin1String(key), doc.object());
    }
    return o;
}

util::Result<plan::Plan> PlanEditor::plan() const {
    QString jsonError;
    const QJsonObject o = formJson(&jsonError);
    if (!jsonError.isEmpty()) return util::Result<plan::Plan>::failure(jsonError);
    auto p = plan::parsePlan(QJsonDocument(o).toJson(QJsonDocument::Compact), QStringLiteral("plan"));
    if (!p) return p;
    if (!devices_.empty()) {
        const QString invalid = plan::validatePlan(*p, devices_);
        if (!invalid.isEmpty()) return util::Result<plan::Plan>::failure(invalid);
    }
    return p;
}

void PlanEditor::scheduleValidation() {
    if (!loading_) validateTimer_->start();
}

void PlanEditor::validateNow() {
    validateTimer_->stop();
    const auto p = plan();
    error_ = p ? QString() : p.error();
    clearHighlight();
    errorLabel_->setText(error_);
    if (!error_.isEmpty()) highlight(errorPointer(error_), error_);
    else QSettings().setValue(kLastKey, QJsonDocument(p->toJson()).toJson(QJsonDocument::Compact));
    emit validated(error_);
}

QWidget* PlanEditor::fieldWidget(const QString& pointer) const {
    const QStringList parts = pointer.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    const QString head = parts.value(0);
    if (head == QLatin1String("name")) return name_;
    if (head == QLatin1String("title")) return title_;
    if (head == QLatin1String("axes")) return axes_;
    if (head == QLatin1String("detectors")) return detectors_;
    if (head == QLatin1String("settle_s")) return settle_;
    if (head == QLatin1String("exposure_s")) return exposure_;
    if (head == QLatin1String("repeats")) return repeats_;
    if (head == QLatin1String("metadata")) return metadata_;
    if (head == QLatin1String("properties")) return properties_;
    if (head == QLatin1String("scan")) {
        const QString f = parts.value(1);
        if (f == QLatin1String("points") && type_->currentIndex() == int(plan::ScanType::Count)) return countPoints_;
        if (f == QLatin1String("interval_s")) return interval_;
        if (f == QLatin1String("radius")) return radius_;
        if (f == QLatin1String("step")) return step_;
        return type_;
    }
    return nullptr;
}

void PlanEditor::highlight(const QString& pointer, const QString& message) {
    const QStringList parts = pointer.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.value(0) == QLatin1String("axes") && parts.size() >= 3) {
        const int row = parts[1].toInt();
        const int col = static_cast<int>(kFields.indexOf(parts[2]));
        if (col == ColAxis) {
            if (QWidget* w = axes_->cellWidget(row, ColAxis)) {
                w->setStyleSheet(QStringLiteral("background: #ffd6d6;"));
                w->setToolTip(message);
                highlighted_ = w;
                return;
            }
        } else if (QTableWidgetItem* item = axes_->item(row, col)) {
            const QSignalBlocker block(axes_);
            item->setBackground(QColor(255, 214, 214));
            item->setToolTip(message);
            return;
        }
    }
    QWidget* w = fieldWidget(pointer);
    if (!w) return;
    w->setStyleSheet(QStringLiteral("background: #ffd6d6;"));
    w->setToolTip(message);
    highlighted_ = w;
}

void PlanEditor::clearHighlight() {
    if (highlighted_) {
        highlighted_->setStyleSheet(QString());
        highlighted_->setToolTip(QString());
        highlighted_ = nullptr;
    }
    const QSignalBlocker block(axes_);
    for (int r = 0; r < axes_->rowCount(); ++r)
        for (int c = ColStart; c < ColCount; ++c)
            if (QTableWidgetItem* item = axes_->item(r, c)) {
                item->setBackground(QBrush());
                item->setToolTip(QString());
            }
}

void PlanEditor::setAxisField(int row, const QString& field, const QString& text) {
    const int col = static_cast<int>(kFields.indexOf(field));
    if (col == ColAxis) {
        if (auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(row, ColAxis))) combo->setCurrentText(text);
    } else if (QTableWidgetItem* item = axes_->item(row, col)) {
        item->setText(text);
    }
}

void PlanEditor::setRunProperty(const QString& device, const QString& id, const QVariant& value) {
    QJsonObject props = QJsonDocument::fromJson(properties_->toPlainText().toUtf8()).object();
    QJsonObject dev = props.value(device).toObject();
    dev.insert(id, QJsonValue::fromVariant(value));
    props.insert(device, dev);
    properties_->setPlainText(QString::fromUtf8(QJsonDocument(props).toJson(QJsonDocument::Compact)));
}

void PlanEditor::loadFile(const QString& path) {
    struct Loaded {
        std::optional<plan::Plan> plan;
        QString error;
    };
    const quint64 request = ++loadRequest_;
    QtConcurrent::run([path] {
        auto p = plan::loadPlanFile(path);
        return p ? Loaded{std::move(*p), QString()} : Loaded{std::nullopt, p.error()};
    }).then(this, [this, path, request](const Loaded& loaded) {
        if (request != loadRequest_) return;
        if (loaded.plan) {
            setPlan(*loaded.plan);
            addRecent(path);
            emit planFileUsed(path);
        } else {
            errorLabel_->setText(loaded.error);
        }
        emit fileLoaded(path, loaded.error);
    });
}

bool PlanEditor::saveFile(const QString& path, QString* error) {
    QString jsonError;
    const QJsonObject o = formJson(&jsonError);
    auto p = plan::parsePlan(QJsonDocument(o).toJson(), QFileInfo(path).fileName());
    if (!jsonError.isEmpty() || !p) {
        if (error) *error = jsonError.isEmpty() ? p.error() : jsonError;
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(p->toJson()).toJson(QJsonDocument::Indented)) < 0 || !f.commit()) {
        if (error) *error = QStringLiteral("%1: cannot write: %2").arg(path, f.errorString());
        return false;
    }
    addRecent(path);
    emit planFileUsed(path);
    return true;
}

QStringList PlanEditor::recentPlans() { return QSettings().value(kRecentKey).toStringList(); }

void PlanEditor::addRecent(const QString& path) {
    QStringList list = recentPlans();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > 10) list.removeLast();
    QSettings().setValue(kRecentKey, list);
    rebuildRecentMenu();
}

void PlanEditor::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList list = recentPlans();
    if (list.isEmpty()) recentMenu_->addAction(tr("(no recent plans)"))->setEnabled(false);
    for (const QString& path : list)
        recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { loadFile(path); })->setToolTip(path);
}

void PlanEditor::loadInteractive() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load plan"), QString(), tr("Plans (*.json)"));
    if (!path.isEmpty()) loadFile(path);
}

void PlanEditor::saveInteractive() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save plan"), name_->text() + QStringLiteral(".json"),
                                                      tr("Plans (*.json)"));
    if (path.isEmpty()) return;
    QString error;
    if (!saveFile(path, &error)) errorLabel_->setText(error);
}

}  // namespace acquila::ui::window
