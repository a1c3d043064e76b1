#include "cli/ChannelStats.h"

#include <cmath>

namespace acquila::cli {

namespace {
template <typename T>
void accumulate(const model::Channel& c, ChannelStats::Stat& s) {
    const qint64 n = c.data.size() / static_cast<qint64>(sizeof(T));
    for (qint64 i = 0; i < n; ++i) {
        const double x = static_cast<double>(c.at<T>(i));
        if (std::isnan(x)) continue;
        s.min = std::min(s.min, x);
        s.max = std::max(s.max, x);
        s.sum += x;
        ++s.n;
    }
}
}  // namespace

void ChannelStats::add(const model::ResultBatch& batch) {
    for (const QString& name : channels_) {
        const model::Channel* c = batch.find(name);
        if (!c) continue;
        Stat& s = stats_[name];
        model::visitDType(c->dtype, [&](auto tag) { accumulate<typename decltype(tag)::type>(*c, s); });
    }
}

const ChannelStats::Stat* ChannelStats::stat(const QString& channel) const {
    auto it = stats_.find(channel);
    return it == stats_.end() ? nullptr : &it->second;
}

QString ChannelStats::summary() const {
    QStringList parts;
    for (const QString& name : channels_) {
        const Stat* s = stat(name);
        if (!s || s->n == 0) {
            parts << QStringLiteral("%1: no data").arg(name);
            continue;
        }
        parts << QStringLiteral("%1 min %2 max %3 mean %4").arg(name).arg(s->min, 0, 'g', 6).arg(s->max, 0, 'g', 6).arg(s->sum / s->n, 0, 'g', 6);
    }
    return parts.join(QLatin1String("; "));
}

}  // namespace acquila::cli
