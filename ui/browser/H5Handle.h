#pragma once
#include <hdf5.h>
#include <utility>

namespace acquila::ui::browser {

/**
 * Owns one HDF5 identifier and closes it with the matching H5*close call.
 * Loader thread only (HDF5 is not thread-safe). A negative id means "failed".
 */
class H5Handle {
public:
    H5Handle() = default;
    explicit H5Handle(hid_t id) : id_(id) {}
    H5Handle(const H5Handle&) = delete;
    H5Handle& operator=(const H5Handle&) = delete;
    H5Handle(H5Handle&& o) noexcept : id_(std::exchange(o.id_, -1)) {}
    H5Handle& operator=(H5Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, -1);
        }
        return *this;
    }
    ~H5Handle() { reset(); }

    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    void reset(hid_t id = -1) {
        if (id_ >= 0) {
            switch (H5Iget_type(id_)) {
            case H5I_FILE: H5Fclose(id_); break;
            case H5I_GROUP: H5Gclose(id_); break;
            case H5I_DATASET: H5Dclose(id_); break;
            case H5I_DATATYPE: H5Tclose(id_); break;
            case H5I_DATASPACE: H5Sclose(id_); break;
            case H5I_ATTR: H5Aclose(id_); break;
            case H5I_GENPROP_LST: H5Pclose(id_); break;
            default: H5Idec_ref(id_); break;
            }
        }
        id_ = id;
    }

private:
    hid_t id_ = -1;
};

}  // namespace acquila::ui::browser
