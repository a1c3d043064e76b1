#include "ui/window/LogDock.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace acquila::ui::window {

namespace {
constexpr size_t kMaxEntries = 20000;
const char* kLevels[] = {"trace", "debug", "info", "warning", "error", "critical"};
}  // namespace

LogDock::LogDock(QWidget* parent) : QDockWidget(tr("Log"), parent) {
    setObjectName(QStringLiteral("logDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    auto* bar = new QHBoxLayout;
    level_ = new QComboBox(body);
    for (const char* l : kLevels) level_->addItem(QLatin1String(l));
    level_->setCurrentIndex(2);
    search_ = new QLineEdit(body);
    search_->setPlaceholderText(tr("Search the log"));
    search_->setClearButtonEnabled(true);
    bar->addWidget(new QLabel(tr("Level ≥"), body));
    bar->addWidget(level_);
    bar->addWidget(search_, 1);
    layout->addLayout(bar);
    text_ = new QPlainTextEdit(body);
    text_->setReadOnly(true);
    text_->setMaximumBlockCount(static_cast<int>(kMaxEntries));
    text_->setLineWrapMode(QPlainTextEdit::NoWrap);
    text_->setFont(QFont(QStringLiteral("monospace"), 9));
    layout->addWidget(text_);
    setWidget(body);
    connect(level_, &QComboBox::currentIndexChanged, this, &LogDock::rebuild);
    connect(search_, &QLineEdit::textChanged, this, &LogDock::rebuild);
}

QString LogDock::format(const engine::LogEntry& e) {
    const int l = qBound(0, e.level, 5);
    return QStringLiteral("%1 %2 [%3] %4")
        .arg(e.time.toString(QStringLiteral("HH:mm:ss.zzz")), QString::fromLatin1(kLevels[l]).leftJustified(8), e.source, e.text);
}

bool LogDock::accepts(const engine::LogEntry& e) const {
    if (e.level < level_->currentIndex()) return false;
    const QString s = search_->text();
    return s.isEmpty() || e.text.contains(s, Qt::CaseInsensitive) || e.source.contains(s, Qt::CaseInsensitive);
}

void LogDock::append(const engine::LogEntry& entry) { append(std::vector<engine::LogEntry>{entry}); }

void LogDock::append(const std::vector<engine::LogEntry>& entries) {
    QStringList lines;
    for (const auto& e : entries) {
        entries_.push_back(e);
        if (entries_.size() > kMaxEntries) entries_.pop_front();
        if (accepts(e)) lines << format(e);
    }
    if (!lines.isEmpty()) text_->appendPlainText(lines.join(QLatin1Char('\n')));
}

void LogDock::setMinimumLevel(int level) { level_->setCurrentIndex(qBound(0, level, 5)); }
void LogDock::setSearch(const QString& text) { search_->setText(text); }

void LogDock::rebuild() {
    QStringList lines;
    for (const auto& e : entries_)
        if (accepts(e)) lines << format(e);
    text_->setPlainText(lines.join(QLatin1Char('\n')));
}

QStringList LogDock::visibleLines() const {
    QStringList lines = text_->toPlainText().split(QLatin1Char('\n'));
    lines.removeAll(QString());
    return lines;
}

}  // namespace acquila::ui::window
