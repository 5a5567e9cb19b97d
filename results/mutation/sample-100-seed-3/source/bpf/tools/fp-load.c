// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * fp-load: loads a BPF object with its maps pinned under a given root, prints the
 * verifier log on failure, then unpins and exits. A developer tool for checking that
 * an object passes the verifier before the native addon is available.
 *   cc -O2 -o /tmp/fp-load bpf/tools/fp-load.c -lbpf && /tmp/fp-load OBJ PINROOT
 */
#include <stdio.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJECT PINROOT\n", argv[0]);
		return 2;
	}
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = argv[2]);
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		perror("open");
		return 1;
	}
	err = bpf_object__load(obj);
	bpf_object__for_each_map(map, obj)
		bpf_map__unpin(map, NULL);
	if (err) {
		fprintf(stderr, "load failed: %d\n", err);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		printf("prog %s ok (%zu insns)\n", bpf_program__name(prog),
		       bpf_program__insn_cnt(prog));
	bpf_object__close(obj);
	return 0;
}
