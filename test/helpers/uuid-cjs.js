// thrift requires uuid@13, which ships only ES modules; Jest's CommonJS runtime cannot load it (Node itself can).
// thrift uses just parse and stringify, which are small enough to provide here for the test runtime.
'use strict';
const { randomUUID } = require('node:crypto');

function parse(text) {
  const hex = String(text).replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError('Invalid UUID');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function stringify(bytes, offset = 0) {
  const hex = Buffer.from(bytes.slice(offset, offset + 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

module.exports = { parse, stringify, v4: randomUUID };
