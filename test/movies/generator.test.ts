import { describe, expect, it } from 'vitest';
import { GENRES } from '../../src/services/movies/genres.js';
import { generateCatalogue } from '../../src/services/movies/suggest/generator.js';

const small = { movies: 400, users: 300, ratings: 12_000, seed: 7 };
const all = (c: ReturnType<typeof generateCatalogue>) => ({
  movies: [...c.movieRows()],
  users: [...c.userRows()],
  ratings: [...c.ratingRows()],
});

describe('generateCatalogue', () => {
  it('gives the same rows for the same seed and other rows for another', () => {
    const a = all(generateCatalogue(small));
    expect(all(generateCatalogue(small))).toEqual(a);
    const b = all(generateCatalogue({ ...small, seed: 8 }));
    expect(b.movies.map((m) => m.name)).not.toEqual(a.movies.map((m) => m.name));
    expect(b.ratings).not.toEqual(a.ratings);
    // Iterating again yields the same rows: the serving code may stream them twice.
    const c = generateCatalogue(small);
    expect([...c.ratingRows()]).toEqual([...c.ratingRows()]);
  });

  it('makes the counts asked for, each pair once, scores 1 to 5, in range', () => {
    const c = generateCatalogue(small);
    const { movies, users, ratings } = all(c);
    expect(c.counts).toEqual({ movies: 400, users: 300, ratings: 12_000 });
    expect(movies.map((m) => m.id)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(users).toHaveLength(300);
    expect(ratings).toHaveLength(12_000);
    expect(new Set(ratings.map((r) => `${r.user}:${r.movie}`)).size).toBe(ratings.length);
    for (const r of ratings) {
      expect([1, 2, 3, 4, 5]).toContain(r.score);
      expect(r.movie).toBeGreaterThanOrEqual(1);
      expect(r.movie).toBeLessThanOrEqual(400);
      expect(r.user).toBeGreaterThanOrEqual(1);
      expect(r.user).toBeLessThanOrEqual(300);
    }
    for (const m of movies) {
      expect(GENRES).toContain(m.genre);
      expect(m.release_year).toBeGreaterThanOrEqual(1950);
      expect(m.release_year).toBeLessThanOrEqual(2025);
      expect(m.name.length).toBeGreaterThan(3);
      expect(c.movieInfo(m.id)).toEqual({ genre: m.genre, year: m.release_year });
    }
    expect(c.movieInfo(0)).toBeUndefined();
    expect(c.movieInfo(401)).toBeUndefined();
  });

  it('looks like real data: a long tail, recent years, a spread of scores, several genres', () => {
    const { movies, ratings } = all(
      generateCatalogue({ movies: 2000, users: 1000, ratings: 50_000, seed: 1 }),
    );
    const perMovie = new Map<number, number>();
    for (const r of ratings) perMovie.set(r.movie, (perMovie.get(r.movie) ?? 0) + 1);
    const counts = [...perMovie.values()].sort((a, b) => b - a);
    const top10 = counts.slice(0, 200).reduce((a, b) => a + b, 0);
    expect(top10 / ratings.length).toBeGreaterThan(0.4);
    expect(counts[counts.length >> 1]!).toBeLessThan(ratings.length / 2000);
    const recent = movies.filter((m) => m.release_year >= 1988).length;
    expect(recent / movies.length).toBeGreaterThan(0.6);
    const byScore = [1, 2, 3, 4, 5].map((s) => ratings.filter((r) => r.score === s).length);
    for (const n of byScore) expect(n / ratings.length).toBeGreaterThan(0.02);
    const mean = ratings.reduce((a, r) => a + r.score, 0) / ratings.length;
    expect(mean).toBeGreaterThan(3.2);
    expect(mean).toBeLessThan(4);
    expect(new Set(movies.map((m) => m.genre)).size).toBe(GENRES.length);
  });

  it('keeps each pair once when users rate a large share of a small catalogue', () => {
    const c = generateCatalogue({ movies: 20, users: 10, ratings: 1000, seed: 3 });
    const ratings = [...c.ratingRows()];
    expect(c.counts.ratings).toBe(ratings.length);
    expect(ratings.length).toBe(60); // 10 users × 30 % of 20 movies
    expect(new Set(ratings.map((r) => `${r.user}:${r.movie}`)).size).toBe(60);
  });

  it('generates a million ratings in a few seconds', () => {
    const started = performance.now();
    const c = generateCatalogue({ movies: 20_000, users: 20_000, ratings: 1_000_000, seed: 1 });
    let n = 0;
    for (const _ of c.ratingRows()) n++;
    expect(n).toBe(1_000_000);
    expect(performance.now() - started).toBeLessThan(8000);
  });
});
