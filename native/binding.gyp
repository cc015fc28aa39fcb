{
  "targets": [
    {
      "target_name": "chanlab_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/pool.cc", "src/batchnorm.cc", "src/pix.cc", "src/pix_gate.cc", "src/pix_simd.cc", "src/rows.cc", "src/dgc.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
