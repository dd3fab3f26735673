// TUI component: the key help, generated from the keymap's one table.

import React from 'react';
import { Box, Text } from 'ink';
import { helpLines } from '../keymap.js';
import { fit } from '../format.js';

export function HelpScreen({ top, height, columns }: { top: number; height: number; columns: number }) {
  const lines = helpLines().slice(top, top + height);
  return (
    <Box flexDirection="column" height={height}>
      {lines.map((l, i) => <Text key={top + i} wrap="truncate" bold={top + i === 0}>{fit(l, columns)}</Text>)}
    </Box>
  );
}
