// A tiny deterministic embedding function for tests: hashes each text into 3 floats, so that
// the seed's 3-d examples and text-only adds land in the same space. Equal texts give equal
// vectors; different texts almost surely give different ones.
export const hashEmbedding = {
  generate(texts) {
    return texts.map((text) => {
      const vector = [0, 0, 0];
      for (let i = 0; i < text.length; i++) {
        vector[i % 3] = (vector[i % 3] * 31 + text.charCodeAt(i)) % 1000;
      }
      return vector.map((x) => x / 100);
    });
  },
};
