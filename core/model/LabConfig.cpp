// Implemented with the device library work; see LabConfig.h.
