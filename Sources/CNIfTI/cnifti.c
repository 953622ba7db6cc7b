/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cnifti.h"
#include <nifti1_io.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libniftiio prints some errors ("** ERROR: nifti_convert_nhdr2nim: bad dim[1]") to stderr whatever
   its debug level; dosecalc prints one line per error itself, so the library's standard error is
   sent to /dev/null while it runs. One lock serialises these regions, so that two threads never
   swap the descriptor under each other (the saved descriptor would otherwise be /dev/null). */
static pthread_mutex_t quiet_lock = PTHREAD_MUTEX_INITIALIZER;
static int quiet_begin(void) {
    pthread_mutex_lock(&quiet_lock);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
    return saved;
}
static void quiet_end(int saved) {
    fflush(stderr);
    if (saved >= 0) { dup2(saved, STDERR_FILENO); close(saved); }
    pthread_mutex_unlock(&quiet_lock);
}

static int copy_double(const nifti_image *nim, double *out) {
    size_t n = nim->nvox;
    const void *d = nim->data;
    switch (nim->datatype) {
    case DT_UINT8:   for (size_t i = 0; i < n; i++) out[i] = ((const uint8_t *)d)[i]; break;
    case DT_INT8:    for (size_t i = 0; i < n; i++) out[i] = ((const int8_t *)d)[i]; break;
    case DT_INT16:   for (size_t i = 0; i < n; i++) out[i] = ((const int16_t *)d)[i]; break;
    case DT_UINT16:  for (size_t i = 0; i < n; i++) out[i] = ((const uint16_t *)d)[i]; break;
    case DT_INT32:   for (size_t i = 0; i < n; i++) out[i] = ((const int32_t *)d)[i]; break;
    case DT_UINT32:  for (size_t i = 0; i < n; i++) out[i] = ((const uint32_t *)d)[i]; break;
    case DT_INT64:   for (size_t i = 0; i < n; i++) out[i] = (double)((const int64_t *)d)[i]; break;
    case DT_UINT64:  for (size_t i = 0; i < n; i++) out[i] = (double)((const uint64_t *)d)[i]; break;
    case DT_FLOAT32: for (size_t i = 0; i < n; i++) out[i] = ((const float *)d)[i]; break;
    case DT_FLOAT64: for (size_t i = 0; i < n; i++) out[i] = ((const double *)d)[i]; break;
    default: return -1;
    }
    if (nim->scl_slope != 0.0f && !(nim->scl_slope == 1.0f && nim->scl_inter == 0.0f)) {
        for (size_t i = 0; i < n; i++) out[i] = out[i] * nim->scl_slope + nim->scl_inter;
    }
    return 0;
}

int cnifti_read(const char *path, cnifti_volume *out) {
    memset(out, 0, sizeof *out);
    nifti_set_debug_level(0);
    int q = quiet_begin();
    nifti_image *nim = nifti_image_read(path, 0);
    quiet_end(q);
    if (!nim) return CNIFTI_UNREADABLE;
    for (int i = 0; i < 8; i++) out->dim[i] = nim->dim[i];
    for (int i = 0; i < 4; i++) out->pixdim[i] = nim->pixdim[i];
    out->datatype = nim->datatype;
    out->xyz_units = nim->xyz_units;
    out->nvox = nim->nvox;
    switch (nim->datatype) {
    case DT_UINT8: case DT_INT8: case DT_INT16: case DT_UINT16: case DT_INT32: case DT_UINT32: case DT_INT64: case DT_UINT64:
        out->is_integer = 1; break;
    case DT_FLOAT32: case DT_FLOAT64: out->is_integer = 0; break;
    default: nifti_image_free(nim); return CNIFTI_UNSUPPORTED_TYPE;
    }
    int nd = nim->dim[0];
    int extra = 0;
    for (int i = 4; i <= 7 && i <= nd; i++) if (nim->dim[i] > 1) extra = 1;
    if (nd < 3 || nd > 7 || nim->dim[1] < 1 || nim->dim[2] < 1 || nim->dim[3] < 1 || extra) { nifti_image_free(nim); return CNIFTI_NOT_3D; }
    out->transform = nim->sform_code > 0 ? 2 : (nim->qform_code > 0 ? 1 : 0);
    for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) {
        float v;
        if (out->transform == 2) v = nim->sto_xyz.m[r][c];
        else if (out->transform == 1) v = nim->qto_xyz.m[r][c];
        else v = (r == c) ? (r == 0 ? nim->dx : r == 1 ? nim->dy : r == 2 ? nim->dz : 1.0f) : 0.0f;
        out->affine[r * 4 + c] = v;
    }
    /* The voxel bytes are read here rather than by nifti_image_load, which fills a short file with
       zeros and replaces NaN and infinite floats by 0 without failing: a truncated file must be refused
       and a non-finite voxel must reach the caller, who refuses it. */
    size_t nbytes = nim->nvox * (size_t)nim->nbyper;
    void *buf = malloc(nbytes ? nbytes : 1);
    out->values = malloc((nim->nvox ? nim->nvox : 1) * sizeof(double));
    if (!buf || !out->values) { free(buf); free(out->values); out->values = NULL; nifti_image_free(nim); return CNIFTI_NO_MEMORY; }
    znzFile fp = znzopen(nim->iname, "rb", nifti_is_gzfile(nim->iname));
    if (znz_isnull(fp)) { free(buf); free(out->values); out->values = NULL; nifti_image_free(nim); return CNIFTI_UNREADABLE; }
    size_t got = 0;
    if (znzseek(fp, (long)nim->iname_offset, SEEK_SET) >= 0) got = znzread(buf, 1, nbytes, fp);
    znzclose(fp);
    if (got < nbytes) { free(buf); free(out->values); out->values = NULL; nifti_image_free(nim); return CNIFTI_TRUNCATED; }
    if (nim->swapsize > 1 && nim->byteorder != nifti_short_order()) nifti_swap_Nbytes(nim->nvox, nim->swapsize, buf);
    nim->data = buf;
    int rc = copy_double(nim, out->values);
    nim->data = NULL;
    free(buf);
    nifti_image_free(nim);
    if (rc != 0) { free(out->values); out->values = NULL; return CNIFTI_UNSUPPORTED_TYPE; }
    return CNIFTI_OK;
}

void cnifti_free(cnifti_volume *v) { free(v->values); v->values = NULL; }

int cnifti_write_float_like(const char *like_path, const float *data, size_t n, const char *path, const char *description) {
    nifti_set_debug_level(0);
    int q = quiet_begin();
    nifti_image *like = nifti_image_read(like_path, 0);
    quiet_end(q);
    if (!like) return -1;
    if (like->nvox != n) { nifti_image_free(like); return -1; }
    nifti_image *out = nifti_copy_nim_info(like);
    nifti_image_free(like);
    if (!out) return -1;
    out->datatype = DT_FLOAT32;
    out->nbyper = 4;
    out->swapsize = 4;
    out->scl_slope = 1.0f;
    out->scl_inter = 0.0f;
    out->cal_min = 0.0f;
    out->cal_max = 0.0f;
    memset(out->descrip, 0, sizeof out->descrip);
    strncpy(out->descrip, description, sizeof out->descrip - 1);
    if (nifti_set_filenames(out, path, 0, 1) != 0) { nifti_image_free(out); return -1; }
    out->data = (void *)data;
    q = quiet_begin();
    nifti_image_write(out);
    quiet_end(q);
    out->data = NULL;   /* owned by the caller */
    nifti_image_free(out);
    return 0;
}
