import { describe, expect, it } from 'vitest';
import { buildModel, modelFromRows, serialize, USER_PRIOR } from '../../src/services/movies/suggest/model.js';
import { predict, recommend, REASONS, similar } from '../../src/services/movies/suggest/recommend.js';

// Two camps: 1–3 are scifi, 4–6 romance; 7 is a scifi nobody else rated. Users of a camp rate
// its movies high and the other camp's low, so neighbours stay inside a camp.
const MOVIES = [
  { id: 1, genre: 'scifi', year: 1999 },
  { id: 2, genre: 'scifi', year: 2001 },
  { id: 3, genre: 'scifi', year: 2010 },
  { id: 4, genre: 'romance', year: 1995 },
  { id: 5, genre: 'romance', year: 1997 },
  { id: 6, genre: 'romance', year: 2015 },
  { id: 7, genre: 'scifi', year: 2003 },
];
const info = (id: number) => MOVIES.find((m) => m.id === id);
const R = (user: number, movie: number, score: number) => ({ user, movie, score });
const RATINGS = [
  R(1, 1, 5), R(1, 2, 5), R(1, 4, 1),
  R(2, 1, 5), R(2, 2, 4), R(2, 5, 1),
  R(3, 4, 5), R(3, 5, 5), R(3, 1, 1),
  R(4, 4, 4), R(4, 5, 5), R(4, 2, 2),
  R(5, 1, 5), R(5, 3, 5), R(5, 2, 5),
  R(6, 6, 5), R(6, 4, 4), R(6, 3, 1),
  R(8, 7, 5),
]; // prettier-ignore

/** The formula written out directly over every pair, to check the sparse computation against. */
function referenceSim(a: number, b: number, shrinkage: number): number {
  const mean = RATINGS.length ? RATINGS.reduce((s, r) => s + r.score, 0) / RATINGS.length : 0;
  const userMean = (u: number) => {
    const mine = RATINGS.filter((r) => r.user === u);
    return (mine.reduce((s, r) => s + r.score, 0) + USER_PRIOR * mean) / (mine.length + USER_PRIOR);
  };
  const res = (m: number) =>
    new Map(RATINGS.filter((r) => r.movie === m).map((r) => [r.user, r.score - userMean(r.user)]));
  const ra = res(a);
  const rb = res(b);
  let dot = 0;
  let n = 0;
  for (const [u, x] of ra) {
    if (!rb.has(u)) continue;
    dot += x * rb.get(u)!;
    n++;
  }
  const norm = (m: Map<number, number>) => Math.sqrt([...m.values()].reduce((s, x) => s + x * x, 0));
  return (dot / (norm(ra) * norm(rb))) * (n / (n + shrinkage));
}

describe('the item-item model', () => {
  const model = buildModel(MOVIES, RATINGS, { shrinkage: 1 });

  it('finds the known neighbours, positive ones only, with the adjusted cosine it documents', () => {
    expect(model.neighbours(1)[0]!.id).toBe(2);
    expect(model.neighbours(4)[0]!.id).toBe(5);
    for (const id of [1, 2, 3]) for (const n of model.neighbours(id)) expect(n.id).toBeLessThanOrEqual(3);
    for (const id of [4, 5]) for (const n of model.neighbours(id)) expect([4, 5, 6]).toContain(n.id);
    expect(model.neighbours(7)).toEqual([]);
    expect(model.neighbours(99)).toEqual([]);
    for (const m of MOVIES)
      for (const n of model.neighbours(m.id)) {
        expect(n.sim).toBeGreaterThan(0);
        expect(n.sim).toBeCloseTo(referenceSim(m.id, n.id, 1), 5);
      }
    expect(model.neighbours(1).map((n) => n.id)).toEqual([2, 3]);
  });

  it('keeps K neighbours at most, and counts popularity and means', () => {
    const one = buildModel(MOVIES, RATINGS, { neighbours: 1 });
    for (const m of MOVIES) expect(one.neighbours(m.id).length).toBeLessThanOrEqual(1);
    expect(model.globalMean).toBeCloseTo(RATINGS.reduce((s, r) => s + r.score, 0) / RATINGS.length, 10);
    expect(model.stats(2)).toMatchObject({ count: 4, mean: 4 });
    expect(model.popular.map((p) => p.id).slice(0, 2)).toEqual([1, 2]);
    expect(model.stats(99)).toBeUndefined();
    expect(model.baseline(99)).toBe(model.globalMean);
  });

  it('suggests the movies like those the user rated highly, never one they rated', () => {
    const got = recommend(model, [{ movie: 1, score: 5 }], { limit: 3, movieInfo: info });
    expect(got.map((s) => s.movie).slice(0, 2)).toEqual([2, 3]);
    // One rating: the profile outweighs the neighbours (blendAt), and the reason says so.
    expect(got[0]!.reason).toBe(REASONS.taste('scifi'));
    const cf = recommend(model, [{ movie: 1, score: 5 }], {
      limit: 3,
      movieInfo: info,
      tuning: { blendAt: 0.1 },
    });
    expect(cf.map((s) => s.movie).slice(0, 2)).toEqual([2, 3]);
    expect(cf[0]!.reason).toBe(REASONS.similar);
    expect(got.map((s) => s.movie)).not.toContain(1);
    expect(got).toHaveLength(3);
    const romantic = recommend(
      model,
      [
        { movie: 4, score: 5 },
        { movie: 1, score: 1 },
      ],
      { limit: 2, movieInfo: info },
    );
    expect(romantic.map((s) => s.movie)).toEqual([5, 6]);
    const onlyScifi = recommend(model, [{ movie: 4, score: 5 }], {
      limit: 3,
      genre: 'scifi',
      movieInfo: info,
    });
    for (const s of onlyScifi) expect(info(s.movie)!.genre).toBe('scifi');
  });

  it('answers popularity to a user with no ratings, by genre when asked', () => {
    const got = recommend(model, [], { limit: 3, movieInfo: info });
    expect(got.map((s) => s.movie)).toEqual(model.popular.slice(0, 3).map((p) => p.id));
    for (const s of got) expect(s.reason).toBe(REASONS.popular);
    const romance = recommend(model, [], { limit: 10, genre: 'romance', movieInfo: info });
    expect(romance.map((s) => s.movie).sort()).toEqual([4, 5, 6]);
    for (const s of romance) expect(s.reason).toBe('popular in romance');
    expect(recommend(model, [], { limit: 3, genre: 'western', movieInfo: info })).toEqual([]);
  });

  it('leans on the genre profile for a user with few ratings and no neighbours to follow', () => {
    // Movie 7 has no neighbours: only the profile (scifi, liked) can say anything.
    const got = recommend(model, [{ movie: 7, score: 5 }], { limit: 3, movieInfo: info });
    expect(got.map((s) => info(s.movie)!.genre)).toEqual(['scifi', 'scifi', 'scifi']);
    expect(got[0]!.reason).toBe(REASONS.taste('scifi'));
  });

  it('predicts higher for the camp the user likes, within 1 to 5', () => {
    const fan = [
      { movie: 1, score: 5 },
      { movie: 2, score: 5 },
      { movie: 4, score: 1 },
    ];
    expect(predict(model, fan, 3)).toBeGreaterThan(predict(model, fan, 5));
    for (const m of MOVIES) {
      expect(predict(model, fan, m.id)).toBeGreaterThanOrEqual(1);
      expect(predict(model, fan, m.id)).toBeLessThanOrEqual(5);
    }
    expect(predict(model, [], 99)).toBeCloseTo(model.globalMean, 10);
  });

  it('answers similar movies, and the same after a round trip through stored rows', () => {
    expect(similar(model, 1, 1)).toEqual([{ movie: 2, score: expect.any(Number) }]);
    expect(similar(model, 99, 5)).toEqual([]);
    const rows = serialize(model);
    expect(rows.neighbours.every((r) => r.sim > 0)).toBe(true);
    const back = modelFromRows(rows);
    for (const ratings of [
      [],
      [{ movie: 1, score: 5 }],
      [
        { movie: 7, score: 4 },
        { movie: 4, score: 2 },
      ],
    ])
      expect(recommend(back, ratings, { limit: 5, movieInfo: info })).toEqual(
        recommend(model, ratings, { limit: 5, movieInfo: info }),
      );
    expect(similar(back, 4, 3)).toEqual(similar(model, 4, 3));
    expect(predict(back, [{ movie: 1, score: 5 }], 2)).toBe(predict(model, [{ movie: 1, score: 5 }], 2));
  });
});
