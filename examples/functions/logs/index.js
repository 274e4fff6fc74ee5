'use strict';

// Prints event.lines lines (default 10), each exactly event.width characters (default 80)
// before the newline and starting with a zero-padded line number, so a test can tell from
// the tail which lines survived truncation.
exports.handler = async (event, context) => {
  const lines = Number.isInteger(event && event.lines) ? event.lines : 10;
  const width = Number.isInteger(event && event.width) ? event.width : 80;
  for (let i = 1; i <= lines; i += 1) {
    const number = String(i).padStart(6, '0');
    console.log((number + ' ' + 'x'.repeat(Math.max(0, width - 7))).slice(0, width));
  }
  return { lines, width };
};
