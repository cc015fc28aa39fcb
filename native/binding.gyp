{
  "targets": [
    {
      "target_name": "chanlab_native",
      "variables": { "chanlab_image%": "<!(sh detect-image.sh)" },
      "sources": ["<!@(ls -1 src/*.cc src/generated/*.cc)"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-fopenmp", "-Wl,-z,now"],
      "libraries": ["-ldnnl", "-lgomp"],
      "conditions": [
        ["chanlab_image==1", { "defines": ["CHANLAB_IMAGE"], "libraries": ["-ljpeg", "-lpng16"] }, { "sources!": ["src/image_decode.cc"] }]
      ]
    }
  ]
}
