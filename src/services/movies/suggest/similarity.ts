/**
 * Item-item adjusted cosine over a compressed sparse layout of the ratings. Each rating is stored
 * twice (by movie and by user) as its residual: the score less the user's mean, so a harsh and a
 * generous rater agree on what they liked more.
 */
export interface Sparse {
  /** movie index → its ratings at [start[i], start[i+1]) */
  itemStart: Int32Array;
  itemUser: Int32Array;
  itemRes: Float32Array;
  /** user index → their ratings at [start[u], start[u+1]) */
  userStart: Int32Array;
  userItem: Int32Array;
  userRes: Float32Array;
}

export interface NeighbourLists {
  /** movie index → neighbours at [start[i], start[i+1]), most similar first */
  start: Int32Array;
  item: Int32Array;
  sim: Float32Array;
}

/**
 * For every movie, its K most similar movies with a positive similarity:
 * sim(i, j) = Σ_u r'_ui r'_uj / (‖r'_i‖ ‖r'_j‖) · n_ij / (n_ij + shrinkage),
 * norms over each movie's ratings, n_ij the users who rated both. The shrinkage keeps two movies
 * that share three raters from looking like twins.
 *
 * One row at a time into a dense accumulator: time Σ_u n_u² (each co-rated pair, twice), memory
 * O(movies) on top of the ratings and the M·K result.
 */
export function topNeighbours(s: Sparse, movies: number, K: number, shrinkage: number): NeighbourLists {
  const norm = new Float64Array(movies);
  for (let i = 0; i < movies; i++) {
    let sq = 0;
    for (let p = s.itemStart[i]!; p < s.itemStart[i + 1]!; p++) sq += s.itemRes[p]! ** 2;
    norm[i] = Math.sqrt(sq);
  }
  const dot = new Float64Array(movies);
  const co = new Int32Array(movies);
  const touched = new Int32Array(movies);
  const start = new Int32Array(movies + 1);
  const outItem: number[] = [];
  const outSim: number[] = [];
  const heap = new TopK(K);

  for (let i = 0; i < movies; i++) {
    let nTouched = 0;
    for (let p = s.itemStart[i]!; p < s.itemStart[i + 1]!; p++) {
      const u = s.itemUser[p]!;
      const ri = s.itemRes[p]!;
      for (let q = s.userStart[u]!; q < s.userStart[u + 1]!; q++) {
        const j = s.userItem[q]!;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j]!++;
        dot[j]! += ri * s.userRes[q]!;
      }
    }
    heap.clear();
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const n = co[j]!;
      const denom = norm[i]! * norm[j]!;
      if (j !== i && denom > 0 && dot[j]! > 0) heap.offer(j, (dot[j]! / denom) * (n / (n + shrinkage)));
      dot[j] = 0;
      co[j] = 0;
    }
    for (const [j, sim] of heap.sorted()) {
      outItem.push(j);
      outSim.push(sim);
    }
    start[i + 1] = outItem.length;
  }
  return { start, item: Int32Array.from(outItem), sim: Float32Array.from(outSim) };
}

/** The K largest offers, kept in a min-heap so each offer costs O(log K). */
export class TopK {
  private ids: number[] = [];
  private vals: number[] = [];
  constructor(private readonly k: number) {}

  clear() {
    this.ids.length = 0;
    this.vals.length = 0;
  }

  offer(id: number, val: number) {
    const { ids, vals } = this;
    if (ids.length < this.k) {
      ids.push(id);
      vals.push(val);
      this.up(ids.length - 1);
    } else if (this.k > 0 && (val > vals[0]! || (val === vals[0]! && id < ids[0]!))) {
      ids[0] = id;
      vals[0] = val;
      this.down(0);
    }
  }

  /** Best first; ties by the smaller id, so results do not depend on insertion order. */
  sorted(): [number, number][] {
    return this.ids
      .map((id, k): [number, number] => [id, this.vals[k]!])
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }

  private less(a: number, b: number) {
    const { vals, ids } = this;
    return vals[a]! < vals[b]! || (vals[a] === vals[b] && ids[a]! > ids[b]!);
  }

  private swap(a: number, b: number) {
    const { vals, ids } = this;
    [vals[a], vals[b]] = [vals[b]!, vals[a]!];
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
  }

  private up(k: number) {
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) return;
      this.swap(k, parent);
      k = parent;
    }
  }

  private down(k: number) {
    const n = this.ids.length;
    for (;;) {
      let m = k;
      const l = 2 * k + 1;
      if (l < n && this.less(l, m)) m = l;
      if (l + 1 < n && this.less(l + 1, m)) m = l + 1;
      if (m === k) return;
      this.swap(k, m);
      k = m;
    }
  }
}
