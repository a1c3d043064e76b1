#pragma once
#include "core/model/ResultBatch.h"

namespace acquila::ui::plots {

/**
 * Element `element` of a channel (any dtype) as a double; NaN when out of
 * range. Pure function, any thread.
 */
double channelValue(const model::Channel& channel, qint64 element);

/** Converts `n` elements starting at `firstElement` to doubles in `out`; missing elements become NaN. */
void channelToDoubles(const model::Channel& channel, qint64 firstElement, qint64 n, double* out);

}  // namespace acquila::ui::plots
