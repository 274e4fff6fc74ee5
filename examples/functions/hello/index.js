'use strict';

// The HTTP-function answer shape: APIG triggers and the demo read statusCode/headers/body.
exports.handler = async (event, context) => {
  console.log('Hello, World!');
  const name = (event && event.name) || 'world';
  return {
    statusCode: 200,
    isBase64Encoded: false,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'hello ' + name }),
  };
};
