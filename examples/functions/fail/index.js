'use strict';

// Always fails after logging, so tests see both the error body and the log before it.
exports.handler = async (event, context) => {
  console.log('about to fail');
  throw new Error('intentional failure: ' + ((event && event.reason) || 'none'));
};
