export const STUDIO_VIDEOS_KEY = ['studio', 'videos'] as const;
