#pragma once
#include "ui/browser/H5Values.h"
#include <hdf5.h>
#include <functional>

namespace acquila::ui::browser {

/**
 * Builds the preview of the object at `request.path` in the open `file`
 * (`fileName` only names it in messages). Numeric 1D data is streamed by
 * hyperslab blocks into a min/max decimation; images are read strided; NXdata
 * groups plot their @signal against their @axes. `cancelled` is polled between
 * blocks. Loader thread only.
 */
PreviewData readPreview(hid_t file, bool swmr, const QString& fileName, const PreviewRequest& request,
                        const std::function<bool()>& cancelled);

}  // namespace acquila::ui::browser
