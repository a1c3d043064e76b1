#pragma once
#include "core/model/ResultBatch.h"

#include <QString>
#include <QStringList>
#include <limits>
#include <map>

namespace acquila::cli {

/** Running min/max/mean over every element of some channels. Pure; one thread. */
class ChannelStats {
public:
    explicit ChannelStats(QStringList channels) : channels_(std::move(channels)) {}
    void add(const model::ResultBatch& batch);
    /** "diode min 1.2 max 998 mean 51.3; camera ..." */
    QString summary() const;

    struct Stat {
        double min = std::numeric_limits<double>::infinity();
        double max = -std::numeric_limits<double>::infinity();
        double sum = 0;
        qint64 n = 0;
    };
    const Stat* stat(const QString& channel) const;

private:
    QStringList channels_;
    std::map<QString, Stat> stats_;
};

}  // namespace acquila::cli
