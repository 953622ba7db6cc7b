#ifndef DOSECALC_CNIFTI_H
#define DOSECALC_CNIFTI_H
/* A small C API over Debian's libniftiio (apt libniftiio-dev), so that Swift never sees the library's
   headers: read a 3-D NIfTI-1 volume as doubles with its grid, and write float32 on another file's grid. */
#include <stddef.h>

/* Status codes of cnifti_read. */
enum { CNIFTI_OK = 0, CNIFTI_UNREADABLE = 1, CNIFTI_NOT_3D = 2, CNIFTI_TRUNCATED = 3, CNIFTI_UNSUPPORTED_TYPE = 4, CNIFTI_NO_MEMORY = 5 };

typedef struct {
    int dim[8];          /* dim[0] = number of dimensions, dim[1..7] sizes */
    double pixdim[4];    /* pixdim[1..3]: voxel sizes in the header's spatial unit */
    int datatype;        /* NIfTI DT_* code */
    int is_integer;      /* 1 when the stored type holds integers */
    int xyz_units;       /* NIfTI_UNITS_* code of the spatial unit (0 unknown, 1 m, 2 mm, 3 µm) */
    double affine[16];   /* voxel (i, j, k) to world, row-major, in the header's unit */
    int transform;       /* 2 sform, 1 qform, 0 none (voxel sizes only) */
    size_t nvox;
    double *values;      /* nvox values, scl_slope/scl_inter applied; free with cnifti_free */
} cnifti_volume;

int cnifti_read(const char *path, cnifti_volume *out);
void cnifti_free(cnifti_volume *v);
/* Writes n float32 values on the grid of the file like_path, to path (.nii or .nii.gz). 0 or -1. */
int cnifti_write_float_like(const char *like_path, const float *data, size_t n, const char *path, const char *description);
#endif
