{
  "targets": [
    {
      "target_name": "chanlab_native",
      "sources": ["<!@(ls -1 src/*.cc src/generated/*.cc)"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-fopenmp", "-Wl,-z,now"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
