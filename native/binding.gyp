{
  "targets": [
    {
      "target_name": "fastpath",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/libbpf_log.cc",
        "src/args.cc",
        "src/netns.cc",
        "src/object.cc",
        "src/map.cc",
        "src/map_info.cc",
        "src/btf_layout.cc",
        "src/program.cc",
        "src/test_run.cc",
        "src/tc.cc",
        "src/xdp.cc",
        "src/netdev_features.cc",
        "src/ringbuf.cc",
        "src/af_packet.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "libraries": ["-lbpf", "-lelf", "-lz"]
    }
  ]
}
